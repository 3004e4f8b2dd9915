#!/usr/bin/env bash
# MinIO, the S3-compatible server the s3 backend's integration tests run
# against.
#   minio.sh install        build .tools/bin/minio (go install) unless present
#   minio.sh start ENVFILE  start it on a free loopback port with a temporary
#                           data directory and fresh root credentials; append
#                           SAVEPOINT_TEST_S3_ENDPOINT=127.0.0.1:PORT,
#                           SAVEPOINT_TEST_S3_ACCESS_KEY and
#                           SAVEPOINT_TEST_S3_SECRET_KEY to ENVFILE
#   minio.sh stop           stop it and remove its data directory
set -euo pipefail
. "$(dirname "$0")/lib/service.sh"
cd "$(dirname "$0")/../.."
root=$PWD
bin=$root/.tools/bin/minio
run=$root/.tools/run
pidfile=$run/minio.pid
dirfile=$run/minio.dir

install() {
  [ -x "$bin" ] && return 0
  mkdir -p "$root/.tools/bin"
  # Another checkout of this project may have built it already (saves minutes).
  if [ -n "${SAVEPOINT_MINIO_BIN:-}" ] && [ -x "$SAVEPOINT_MINIO_BIN" ]; then
    cp "$SAVEPOINT_MINIO_BIN" "$bin"
    return 0
  fi
  echo "building minio into .tools/bin (takes a few minutes once)" >&2
  GOBIN=$root/.tools/bin go install github.com/minio/minio@latest
}

start() {
  local envfile=${1:?usage: minio.sh start ENVFILE}
  install
  stop
  mkdir -p "$run"
  local port console dir user pass
  port=$(bash "$root/scripts/freeport.sh")
  console=$(bash "$root/scripts/freeport.sh")
  while [ "$console" = "$port" ]; do console=$(bash "$root/scripts/freeport.sh"); done
  dir=$(mktemp -d "${TMPDIR:-/tmp}/savepoint-minio.XXXXXX")
  echo "$dir" >"$dirfile"
  user=sp$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
  pass=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  MINIO_ROOT_USER=$user MINIO_ROOT_PASSWORD=$pass MINIO_BROWSER=off \
    MINIO_UPDATE=off MINIO_CI_CD=1 \
    nohup "$bin" server --quiet --address "127.0.0.1:$port" \
      --console-address "127.0.0.1:$console" "$dir/data" >"$dir/minio.log" 2>&1 &
  echo $! >"$pidfile"
  await 300 "$(cat "$pidfile")" "$dir/minio.log" "minio on 127.0.0.1:$port" ready "$port" || return 1
  {
    echo "SAVEPOINT_TEST_S3_ENDPOINT=127.0.0.1:$port"
    echo "SAVEPOINT_TEST_S3_ACCESS_KEY=$user"
    echo "SAVEPOINT_TEST_S3_SECRET_KEY=$pass"
  } >>"$envfile"
}

# ready polls MinIO's liveness endpoint with bash's /dev/tcp (no curl needed).
ready() {
  local port=$1 status
  { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
  printf 'GET /minio/health/live HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
  status=$(head -n 1 <&3 || true)
  exec 3<&-
  [[ $status == *" 200"* ]]
}

stop() {
  if [ -f "$pidfile" ]; then
    local pid
    pid=$(cat "$pidfile")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  fi
  if [ -f "$dirfile" ]; then
    rm -rf "$(cat "$dirfile")"
    rm -f "$dirfile"
  fi
}

service_main "$@"
