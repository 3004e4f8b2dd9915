#!/usr/bin/env bash
# The OCI registry service for integration tests: Debian's docker-registry
# (CNCF distribution 2.8), started on a free loopback port with deletion
# enabled and its filesystem storage in a temporary directory.
#   registry.sh install        apt-get install -y docker-registry when missing
#   registry.sh start ENVFILE  start it; append SAVEPOINT_TEST_REGISTRY=127.0.0.1:PORT
#                              and SAVEPOINT_TEST_REGISTRY_CONFIG=<config.yml> to ENVFILE
#   registry.sh stop           stop it and delete its storage
set -euo pipefail
. "$(dirname "$0")/lib/service.sh"
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$self")/../.."
state=.tools/run/registry
bin=${SAVEPOINT_REGISTRY_BIN:-$(command -v docker-registry || echo /usr/bin/docker-registry)}

install() {
  if [ -x "$bin" ]; then return 0; fi
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  bash scripts/apt-install.sh docker-registry
  # The package starts a system service on port 5000; tests use their own instance.
  if command -v systemctl >/dev/null 2>&1; then $sudo systemctl disable --now docker-registry >/dev/null 2>&1 || true; fi
}

start() {
  local envfile=${1:?usage: registry.sh start ENVFILE} dir port config
  stop
  mkdir -p "$state"
  dir=$(mktemp -d "${TMPDIR:-/tmp}/savepoint-registry.XXXXXX")
  port=$(bash scripts/freeport.sh)
  config="$dir/config.yml"
  cat >"$config" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: $(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
YAML
  echo "$dir" >"$state/dir"
  nohup "$bin" serve "$config" >"$dir/registry.log" 2>&1 &
  echo $! >"$state/pid"
  await 100 "$(cat "$state/pid")" "$dir/registry.log" "registry on 127.0.0.1:$port" listening "$port" || return 1
  printf 'SAVEPOINT_TEST_REGISTRY=127.0.0.1:%s\nSAVEPOINT_TEST_REGISTRY_CONFIG=%s\n' "$port" "$config" >>"$envfile"
}

# listening PORT: something accepts connections on 127.0.0.1:PORT.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

stop() {
  if [ -f "$state/pid" ]; then
    local pid
    pid=$(cat "$state/pid")
    kill "$pid" 2>/dev/null && for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$state/pid"
  fi
  if [ -f "$state/dir" ]; then
    local dir
    dir=$(cat "$state/dir")
    case "$dir" in */savepoint-registry.*) rm -rf "$dir" ;; esac
    rm -f "$state/dir"
  fi
}

service_main "$@"
