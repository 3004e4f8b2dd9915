#!/usr/bin/env bash
# gitlab-ci-local, the local GitLab CI runner the gitlab/ component tests run
# pipelines with. It is a tool, not a server:
#   gitlab-ci-local.sh install        npm-install gitlab-ci-local 4.64.1 under
#                                     .tools/gitlab-ci-local (idempotent) and
#                                     rsync (apt) when missing
#   gitlab-ci-local.sh start ENVFILE  append SAVEPOINT_TEST_GITLAB_CI_LOCAL=<binary> and
#                                     SAVEPOINT_TEST_NODE=<node> (the GitHub Action's
#                                     launcher runs on it too)
#   gitlab-ci-local.sh stop           nothing to stop
# 4.64.1 is the last line that runs on Node 20 (from 4.75 it needs Node 22).
set -euo pipefail
. "$(dirname "$0")/lib/service.sh"
cd "$(dirname "$0")/../.."
root=$PWD
version=4.64.1
prefix=$root/.tools/gitlab-ci-local
bin=$prefix/node_modules/.bin/gitlab-ci-local

installed() {
  [ -x "$bin" ] && [ "$("$bin" --version 2>/dev/null)" = "$version" ]
}

install() {
  if ! command -v rsync >/dev/null 2>&1; then
    echo "installing rsync (gitlab-ci-local copies the project with it)" >&2
    bash "$(dirname "$0")/../apt-install.sh" rsync
  fi
  installed && return 0
  command -v npm >/dev/null 2>&1 || { echo "gitlab-ci-local needs npm (Node 20 or newer)" >&2; return 1; }
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "gitlab-ci-local@$version" >&2
  installed || { echo "gitlab-ci-local $version did not install into $prefix" >&2; return 1; }
}

start() {
  local envfile=${1:?usage: gitlab-ci-local.sh start ENVFILE}
  install
  echo "SAVEPOINT_TEST_GITLAB_CI_LOCAL=$bin" >>"$envfile"
  echo "SAVEPOINT_TEST_NODE=$(command -v node)" >>"$envfile"
}

service_main "$@"
