#!/usr/bin/env bash
# Container registry for integration tests: Debian's docker-registry
# (distribution v2), storage in a temporary directory, plain HTTP on loopback.
#   registry.sh install         apt-get install docker-registry unless present
#   registry.sh start ENVFILE   start on a free port, append SAVEPOINT_TEST_REGISTRY=127.0.0.1:PORT
#   registry.sh stop
# (Minimal version written by the capture helper; the lead keeps one.)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
state="$root/.tools/run/registry.dir"

case "${1:-}" in
install)
  if ! command -v docker-registry >/dev/null; then
    if [ "$(id -u)" = 0 ]; then apt-get install -y docker-registry >/dev/null; else sudo apt-get install -y docker-registry >/dev/null; fi
  fi
  ;;
start)
  envfile="${2:?usage: registry.sh start ENVFILE}"
  port=$(bash "$root/scripts/freeport.sh")
  dir=$(mktemp -d /tmp/savepoint-registry.XXXXXX)
  mkdir -p "$(dirname "$state")"
  echo "$dir" > "$state"
  cat >"$dir/config.yml" <<EOC
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
EOC
  docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
  echo $! > "$dir/pid"
  for _ in $(seq 100); do
    if (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null; then break; fi
    sleep 0.1
  done
  (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null || { cat "$dir/registry.log" >&2; exit 1; }
  echo "SAVEPOINT_TEST_REGISTRY=127.0.0.1:$port" >>"$envfile"
  echo "registry on 127.0.0.1:$port"
  ;;
stop)
  [ -f "$state" ] || exit 0
  dir=$(cat "$state")
  if [ -f "$dir/pid" ]; then kill "$(cat "$dir/pid")" 2>/dev/null || true; fi
  rm -rf "$dir" "$state"
  ;;
*)
  echo "usage: $0 install|start ENVFILE|stop" >&2
  exit 2
  ;;
esac
