#!/usr/bin/env bash
# Headless Chromium, the browser the web view's tests drive (chromedp). It is
# a tool, not a server: each test starts its own browser process.
#   chromium.sh install        apt-get install Debian's chromium when missing
#   chromium.sh start ENVFILE  append SAVEPOINT_TEST_CHROMIUM=<binary>
#   chromium.sh stop           nothing to stop
# The tests start it with --headless --no-sandbox --disable-gpu and a fresh
# --user-data-dir, with every background network feature off (the network
# is closed here): internal/testbrowser.
set -euo pipefail
. "$(dirname "$0")/lib/service.sh"
cd "$(dirname "$0")/../.."

binary() { command -v chromium || echo /usr/bin/chromium; }

install() {
  [ -x "$(binary)" ] && return 0
  echo "installing chromium (Debian) for the web view's browser tests" >&2
  bash scripts/apt-install.sh chromium
  [ -x "$(binary)" ] || { echo "chromium did not install" >&2; return 1; }
}

start() {
  local envfile=${1:?usage: chromium.sh start ENVFILE}
  install
  echo "SAVEPOINT_TEST_CHROMIUM=$(binary)" >>"$envfile"
}

service_main "$@"
