#!/usr/bin/env bash
# zsh and fish (Debian) for the tests of `savepoint completion` (bash is
# always there). Not a server: install puts the shells on the machine and
# start tells the tests where they are.
#   shells.sh install        apt-get install zsh fish when missing
#   shells.sh start ENVFILE  append SAVEPOINT_TEST_ZSH and SAVEPOINT_TEST_FISH
#   shells.sh stop           nothing to stop
set -euo pipefail
cd "$(dirname "$0")/../.."
case "${1:-}" in
  install) bash scripts/apt-install.sh zsh fish ;;
  start)
    envfile=${2:?usage: shells.sh start ENVFILE}
    bash "$0" install
    {
      echo "SAVEPOINT_TEST_ZSH=$(command -v zsh)"
      echo "SAVEPOINT_TEST_FISH=$(command -v fish)"
    } >>"$envfile"
    ;;
  stop) ;;
  *) echo "usage: $0 install | start ENVFILE | stop" >&2; exit 2 ;;
esac
