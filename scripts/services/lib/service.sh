# What the service scripts in scripts/services/ share; each sources this
# file (it is no service itself: scripts/test.sh runs scripts/services/*.sh
# only). A service script defines install, start ENVFILE and, when it has
# something to stop, stop, and ends with `service_main "$@"`.

# service_main runs the command the script was called with: install,
# start ENVFILE or stop; anything else is a usage error (status 2).
service_main() {
  case "${1:-}" in
    install) install ;;
    start) start "${2:-}" ;;
    stop) if declare -F stop >/dev/null; then stop; fi ;;
    *) echo "usage: $0 install | start ENVFILE | stop" >&2; exit 2 ;;
  esac
}

# await TRIES PID LOG WHAT CMD... runs CMD every 0.1s until it succeeds.
# It fails, with the end of LOG, when process PID ends first or CMD has not
# succeeded after TRIES tries; WHAT names the process in the message.
await() {
  local tries=$1 pid=$2 log=$3 what=$4 i
  shift 4
  for ((i = 0; i < tries; i++)); do
    "$@" && return 0
    if ! alive "$pid"; then
      echo "$what exited during start-up:" >&2
      tail -n 20 "$log" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "$what did not become ready within $((tries / 10))s; its log:" >&2
  tail -n 20 "$log" >&2
  return 1
}

# alive PID: the process runs (a zombie its parent has not reaped yet is
# gone: it holds no socket and no file any more).
alive() {
  local st
  st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ $st != Z* ]]
}

# pg_bin PROGRAM prints the newest /usr/lib/postgresql/*/bin that holds
# PROGRAM (Debian's PostgreSQL packages).
pg_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$d" ] && [ -x "$d/$1" ] && echo "$d"
}
