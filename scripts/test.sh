#!/usr/bin/env bash
# Runs the whole test suite against real servers. Every script in
# scripts/services/ is a service: `NAME.sh install` installs it under .tools/
# (idempotent), `NAME.sh start ENVFILE` starts it on a free loopback port and
# appends KEY=value lines for the tests to ENVFILE, `NAME.sh stop` stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$PATH"
envfile=$(mktemp)
services=(scripts/services/*.sh)
stop_all() {
  for s in "${services[@]}"; do [ -f "$s" ] && bash "$s" stop || true; done
  rm -f "$envfile"
}
trap stop_all EXIT
# Tools the tests use besides the services: a static busybox for the
# "shell" image variant (tools/imagebuild).
echo "== test tools: install"
bash scripts/apt-install.sh busybox-static
for s in "${services[@]}"; do
  [ -f "$s" ] || continue
  echo "== service $(basename "$s" .sh): install"
  bash "$s" install
done
for s in "${services[@]}"; do
  [ -f "$s" ] || continue
  echo "== service $(basename "$s" .sh): start"
  bash "$s" start "$envfile"
done
set -a
. "$envfile"
set +a
go test -count=1 -timeout 30m "$@" ./...
# Every Go benchmark runs once, so none rots; its figures mean nothing here
# (make bench measures).
echo "== benchmarks, once each"
go test -count=1 -timeout 20m -run '^$' -bench . -benchtime 1x "$@" ./...
