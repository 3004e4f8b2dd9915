#!/usr/bin/env bash
# make bench: the Go benchmarks of the hot paths (MB/s, a few seconds), then
# bench/compare: savepoint beside restic and tar+zstd on generated CI-like
# datasets, then savepoint through its own server beside savepoint on a local
# directory (docs/performance.md). Arguments go to bench/compare, e.g.
#   make bench BENCH_ARGS="-scale 0.1"      # quick
#   bash scripts/bench.sh -scale 1           # full size (~900 MB)
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1; }
missing=()
need restic || missing+=(restic)
need zstd || missing+=(zstd)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]} (Debian packages)"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

[ -x bin/savepoint ] || make build

echo "== Go benchmarks (per-core rates; -benchtime=3x)"
go test -run '^$' -bench . -benchtime=3x \
  ./core/chunker/ ./core/crypto/ ./core/repository/ ./core/save/ ./core/restore/ |
  grep -E '^(Benchmark|ok|FAIL)'

echo "== bench/compare $*"
go run ./bench/compare "$@"

# The server scenario: savepoint through `savepoint serve` on loopback beside
# savepoint on a local directory (docs/performance.md, "Through the server").
case " $* " in
  *" -minio "*|*" -from "*) ;;
  *)
    echo "== bench/compare -server $*"
    go run ./bench/compare -server "$@"
    ;;
esac
