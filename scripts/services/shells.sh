#!/usr/bin/env bash
# zsh and fish (Debian) for the tests of `savepoint completion` (bash is
# always there). Not a server: install puts the shells on the machine and
# start tells the tests where they are.
#   shells.sh install        apt-get install zsh fish when missing
#   shells.sh start ENVFILE  append SAVEPOINT_TEST_ZSH and SAVEPOINT_TEST_FISH
#   shells.sh stop           nothing to stop
set -euo pipefail
. "$(dirname "$0")/lib/service.sh"
cd "$(dirname "$0")/../.."

install() { bash scripts/apt-install.sh zsh fish; }

start() {
  local envfile=${1:?usage: shells.sh start ENVFILE}
  install
  {
    echo "SAVEPOINT_TEST_ZSH=$(command -v zsh)"
    echo "SAVEPOINT_TEST_FISH=$(command -v fish)"
  } >>"$envfile"
}

service_main "$@"
