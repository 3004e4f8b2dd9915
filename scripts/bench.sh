#!/usr/bin/env bash
# make bench: the Go benchmarks of the hot paths (MB/s, a few seconds), then
# bench/compare: savepoint beside restic, kopia and tar+zstd on generated
# CI-like datasets, then savepoint through its own server beside savepoint on
# a local directory (docs/performance.md). Arguments go to bench/compare, e.g.
#   make bench BENCH_ARGS="-scale 0.1"      # quick
#   bash scripts/bench.sh -scale 1           # full size (~900 MB)
#   bash scripts/bench.sh -location minio    # repositories in MinIO only
#   bash scripts/bench.sh -location server   # the server comparison only
set -euo pipefail
cd "$(dirname "$0")/.."

# zstd and GNU time (peak RSS) from Debian; restic and kopia built from
# their Go modules at the versions scripts/peers.sh names.
bash scripts/apt-install.sh zstd time
bash scripts/peers.sh

[ -x bin/savepoint ] || make build

echo "== Go benchmarks (per-core rates; -benchtime=3x)"
go test -run '^$' -bench . -benchtime=3x \
  ./core/chunker/ ./core/crypto/ ./core/repository/ ./core/save/ ./core/restore/ |
  grep -E '^(Benchmark|ok|FAIL)'

echo "== bench/compare $*"
go run ./bench/compare "$@"

# The server comparison: savepoint through `savepoint serve` on loopback
# beside savepoint on a local directory (docs/performance.md, "Through the
# server"). A run that names its location (or re-renders) is that run only.
case " $* " in
  *" -location "*|*" -location="*|*" -minio "*|*" -from "*|*" -from="*) ;;
  *)
    echo "== bench/compare $* -location server -tools savepoint,savepoint-server"
    go run ./bench/compare "$@" -location server -tools savepoint,savepoint-server
    ;;
esac
