#!/usr/bin/env bash
# Prometheus's promtool and server, for the tests of the metrics docs: the
# alert rules and scrape config of docs/server.md are checked with
# promtool, and a real Prometheus scrapes a real savepoint server with the
# documented scrape config. It is a tool, not a server: each test starts
# its own Prometheus process on a free port.
#   prometheus.sh install        apt-get install Debian's prometheus when missing
#                                (without its recommends; the package's own
#                                service is stopped and disabled)
#   prometheus.sh start ENVFILE  append SAVEPOINT_TEST_PROMTOOL=<promtool> and
#                                SAVEPOINT_TEST_PROMETHEUS=<prometheus>
#   prometheus.sh stop           nothing to stop
set -euo pipefail
. "$(dirname "$0")/lib/service.sh"
cd "$(dirname "$0")/../.."

install() {
  if [ -x /usr/bin/promtool ] && [ -x /usr/bin/prometheus ]; then return 0; fi
  echo "installing prometheus (Debian) for promtool and the scrape test" >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q --no-install-recommends prometheus >/dev/null 2>&1 ||
    { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q --no-install-recommends prometheus >/dev/null; }
  if command -v systemctl >/dev/null 2>&1; then $sudo systemctl disable --now prometheus >/dev/null 2>&1 || true; fi
  [ -x /usr/bin/promtool ] || { echo "promtool did not install" >&2; return 1; }
}

start() {
  local envfile=${1:?usage: prometheus.sh start ENVFILE}
  install
  echo "SAVEPOINT_TEST_PROMTOOL=/usr/bin/promtool" >>"$envfile"
  echo "SAVEPOINT_TEST_PROMETHEUS=/usr/bin/prometheus" >>"$envfile"
}

service_main "$@"
