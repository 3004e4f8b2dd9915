#!/usr/bin/env bash
# PostgreSQL for integration tests (Debian package).
#   postgres.sh install         apt-get install postgresql unless initdb is present
#   postgres.sh start ENVFILE   initdb a temporary cluster, start it on a free loopback port,
#                               append SAVEPOINT_TEST_PG_HOST/PORT/USER/BIN and PGHOST/PGPORT/PGUSER
#   postgres.sh stop            stop the cluster and remove its directory
# PostgreSQL refuses to run as root: as root the cluster runs as the `postgres`
# user (created by the Debian package). Authentication is trust, loopback only.
set -euo pipefail
. "$(dirname "$0")/lib/service.sh"
root="$(cd "$(dirname "$0")/../.." && pwd)"
state="$root/.tools/run/postgres.dir"

pgbin() { pg_bin initdb; }

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install() {
  if ! pgbin >/dev/null; then
    bash "$(dirname "$0")/../apt-install.sh" postgresql
  fi
  pgbin >/dev/null || { echo "postgres.sh: initdb not found after install" >&2; exit 1; }
}

start() {
  local envfile="${1:?usage: postgres.sh start ENVFILE}" bin port dir
  bin=$(pgbin)
  port=$(bash "$root/scripts/freeport.sh")
  dir=$(mktemp -d /tmp/savepoint-pg.XXXXXX)
  chmod 755 "$dir"
  mkdir -p "$dir/data" "$dir/sock" "$(dirname "$state")"
  if [ "$(id -u)" = 0 ]; then chown -R postgres: "$dir"; fi
  echo "$dir" > "$state"
  as_pg "$bin/initdb" -D "$dir/data" -U savepoint --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/sock -c fsync=off" start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  cat >>"$envfile" <<EOV
SAVEPOINT_TEST_PG_HOST=127.0.0.1
SAVEPOINT_TEST_PG_PORT=$port
SAVEPOINT_TEST_PG_USER=savepoint
SAVEPOINT_TEST_PG_BIN=$bin
EOV
  echo "postgres on 127.0.0.1:$port (data in $dir)"
}

stop() {
  [ -f "$state" ] || return 0
  local dir bin
  dir=$(cat "$state")
  bin=$(pgbin || true)
  if [ -n "$bin" ] && [ -d "$dir/data" ]; then
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir" "$state"
}

service_main "$@"
