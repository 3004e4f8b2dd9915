#!/usr/bin/env bash
# A container engine for the tests that run the step images as the CI
# platforms do (tests/engine): podman serving the Docker API, act for GitHub
# workflows. No Docker daemon and no system-wide configuration: podman reads
# only the files this script writes under .tools/engine/.
#   engine.sh install        Debian podman, runc, busybox-static, bash-static and
#                            postgresql-client (apt, when missing); act 0.2.89 into
#                            .tools/bin (go install, unless that version is there)
#   engine.sh start ENVFILE  write the engine's configuration, run `make image` and
#                            `make action-release` (the GitHub Action's release assets,
#                            in bin/action) for this machine's architecture, serve the
#                            Docker API on .tools/engine/podman.sock, load the three
#                            images under the names users pull, build the test images
#                            (a helper image with busybox, bash and rsync; act's runner
#                            image, the helper plus node, pg_dump and psql, as GitHub's
#                            runners have them; the shell image plus pg_dump and psql)
#                            and append DOCKER_HOST, SAVEPOINT_TEST_ACT,
#                            SAVEPOINT_TEST_ACTION_ASSETS and the image names to ENVFILE
#   engine.sh stop           stop the API service, remove every container, unmount
#                            what they left mounted and delete the storage
# See /work/shared/notes/platforms.md ("A real container engine on these machines").
set -euo pipefail
. "$(dirname "$0")/lib/service.sh"
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$self")/../.."
root=$PWD
act_version=0.2.89
act=$root/.tools/bin/act
dir=$root/.tools/engine # this worktree's own (never under the shared .tools/bin)
sock=$dir/podman.sock
helper_image=localhost/savepoint-test-helper:latest
runner_image=localhost/savepoint-test-runner:latest
pg_image=registry.example.com/tools/savepoint-pg:1
plugin_image=ghcr.io/savepoint-ci/savepoint-plugin:1

export CONTAINERS_CONF=$dir/containers.conf CONTAINERS_STORAGE_CONF=$dir/storage.conf

# minimal_image is the CLI's image as the docs name it; shell_image is the
# one the GitLab components run by default, so pipelines use it unchanged.
minimal_image() { echo ghcr.io/savepoint-ci/savepoint:v1; }
shell_image() { sed -n '/^    image:/,/default:/s/^      default: //p' gitlab/templates/save.yml; }

install() {
  local pkgs=(podman runc busybox-static bash-static)
  pg_bin pg_dump >/dev/null || pkgs+=(postgresql-client)
  # The Docker CLI drives gitlab-ci-local's docker executor; podman-docker
  # stands in where the machine has none.
  command -v docker >/dev/null 2>&1 || pkgs+=(podman-docker)
  bash scripts/apt-install.sh "${pkgs[@]}"
  if [ -x "$act" ] && [ "$("$act" --version 2>/dev/null)" = "act version $act_version" ]; then return 0; fi
  echo "building act $act_version into .tools/bin (a minute once)" >&2
  mkdir -p "$root/.tools/bin"
  GOBIN=$root/.tools/bin go install "github.com/nektos/act@v$act_version"
}

# configure writes the engine's configuration: host network (the tests'
# servers listen on loopback), cgroupfs, file events and locks, runc, limits
# the machine allows, vfs storage; every path under .tools/engine.
configure() {
  mkdir -p "$dir/storage" "$dir/run" "$dir/tmp" "$dir/networks"
  cat >"$CONTAINERS_CONF" <<EOF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
netns = "host"
log_driver = "k8s-file"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
lock_type = "file"
num_locks = 512
tmp_dir = "$dir/tmp"
volume_path = "$dir/storage/volumes"
static_dir = "$dir/storage/libpod"

[network]
network_config_dir = "$dir/networks"
EOF
  cat >"$CONTAINERS_STORAGE_CONF" <<EOF
[storage]
driver = "vfs"
graphroot = "$dir/storage"
runroot = "$dir/run"
EOF
}

serve() {
  nohup podman system service --time=0 "unix://$sock" >"$dir/service.log" 2>&1 &
  echo $! >"$dir/service.pid"
  await 100 "$(cat "$dir/service.pid")" "$dir/service.log" "podman's API service on $sock" api_up
}

# api_up: podman's API service answers on $sock.
api_up() { [ -S "$sock" ] && podman --remote --url "unix://$sock" version >/dev/null 2>&1; }

# load pulls one variant of `make image`'s OCI layout and names it.
load() {
  local variant=$1 name=$2 id
  id=$(podman pull -q "oci:bin/image:$variant")
  podman tag "$id" "$name"
  podman untag "$id" localhost/bin/image:latest 2>/dev/null || true
}

# rootfs_add copies a dynamically linked program and the libraries ldd lists.
rootfs_add() {
  local rootfs=$1 prog=$2 dest=$3 lib
  mkdir -p "$rootfs/$(dirname "$dest")"
  cp "$prog" "$rootfs/$dest"
  for lib in $(ldd "$prog" | grep -o '/[^ ]*'); do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
}

# build_helper makes the job image for act (ubuntu-latest) and the helper
# image of gitlab-ci-local: static busybox and bash, and rsync.
build_helper() {
  local rootfs=$dir/helper-root a
  rm -rf "$rootfs"
  mkdir -p "$rootfs"/{bin,usr/bin,etc,root,tmp}
  chmod 1777 "$rootfs/tmp"
  cp "$(command -v busybox)" "$rootfs/bin/busybox"
  for a in $("$rootfs/bin/busybox" --list); do [ -e "$rootfs/bin/$a" ] || ln -s busybox "$rootfs/bin/$a"; done
  cp "$(command -v bash-static)" "$rootfs/bin/bash"
  ln -s ../../bin/env "$rootfs/usr/bin/env"
  rootfs_add "$rootfs" "$(command -v rsync)" usr/bin/rsync
  echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
  echo 'root:x:0:' >"$rootfs/etc/group"
  tar -C "$rootfs" -c . | podman import -q \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/sh"]' - "$helper_image" >/dev/null
  rm -rf "$rootfs"
}

# build_with BASE NAME PROGRAM... builds image NAME: image BASE plus each
# PROGRAM (a path on this machine) in /usr/local/bin, with its libraries.
build_with() {
  local base=$1 name=$2 ctx=$dir/build-root prog
  shift 2
  rm -rf "$ctx"
  mkdir -p "$ctx"
  for prog in "$@"; do rootfs_add "$ctx" "$prog" "usr/local/bin/$(basename "$prog")"; done
  printf 'FROM %s\nCOPY . /\n' "$base" >"$dir/Containerfile.build"
  podman build -q --pull=never -f "$dir/Containerfile.build" -t "$name" "$ctx" >/dev/null
  rm -rf "$ctx"
}

# pg_client prints this machine's pg_dump and psql.
pg_client() {
  local bin
  bin=$(pg_bin pg_dump) || { echo "engine.sh: pg_dump not found (engine.sh install installs postgresql-client)" >&2; return 1; }
  echo "$bin/pg_dump" "$bin/psql"
}

# build_pg makes what the GitLab docs call a savepoint image with pg_dump:
# the shell image plus this machine's pg_dump and psql.
build_pg() {
  local pg
  pg=$(pg_client) || return 1
  build_with "$(shell_image)" "$pg_image" $pg
}

# build_runner makes act's job image (ubuntu-latest): the helper image plus
# what GitHub's runners have that the tests use: node, which runs JavaScript
# actions such as savepoint's, and the PostgreSQL client.
build_runner() {
  local pg node
  pg=$(pg_client) || return 1
  node=$(command -v node) || { echo "engine.sh: node not found (the GitHub Action's launcher runs on it)" >&2; return 1; }
  build_with "$helper_image" "$runner_image" "$node" $pg
}

start() {
  local envfile=${1:?usage: engine.sh start ENVFILE} version
  install
  stop
  configure
  version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
  make -s image VERSION="$version" IMAGE_ARCHES="$(go env GOARCH)" >/dev/null
  make -s action-release VERSION="$version" ACTION_ARCHES="$(go env GOARCH)" >/dev/null
  serve
  load minimal "$(minimal_image)"
  load shell "$(shell_image)"
  load plugin "$plugin_image"
  build_helper
  build_runner
  build_pg
  cat >>"$envfile" <<EOF
DOCKER_HOST=unix://$sock
SAVEPOINT_TEST_ACT=$act
SAVEPOINT_TEST_IMAGE_VERSION=$version
SAVEPOINT_TEST_IMAGE_REVISION=$(git rev-parse HEAD 2>/dev/null)
SAVEPOINT_TEST_IMAGE_MINIMAL=$(minimal_image)
SAVEPOINT_TEST_IMAGE_SHELL=$(shell_image)
SAVEPOINT_TEST_IMAGE_PLUGIN=$plugin_image
SAVEPOINT_TEST_IMAGE_PG=$pg_image
SAVEPOINT_TEST_IMAGE_HELPER=$helper_image
SAVEPOINT_TEST_IMAGE_RUNNER=$runner_image
SAVEPOINT_TEST_ACTION_ASSETS=$root/bin/action
EOF
  echo "podman's Docker API on $sock"
}

stop() {
  if [ -f "$dir/service.pid" ]; then
    local pid
    pid=$(cat "$dir/service.pid")
    # Wait up to 5 s for the service to go, then kill it.
    kill "$pid" 2>/dev/null && { timeout 5 tail --pid="$pid" -f /dev/null || kill -9 "$pid"; } 2>/dev/null
    rm -f "$dir/service.pid"
  fi
  if [ -f "$CONTAINERS_CONF" ] && command -v podman >/dev/null 2>&1; then
    podman rm -af -t 0 >/dev/null 2>&1 || true
    podman volume rm -af >/dev/null 2>&1 || true
  fi
  # conmon keeps an exec session's monitor for 5 minutes after the exec ends
  # (--exit-delay 300): end the ones of this engine, found by its directory.
  local p m killed=()
  for p in /proc/[0-9]*; do
    if { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -qF -- "$dir/"; then
      kill "${p#/proc/}" 2>/dev/null && killed+=("${p#/proc/}")
    fi
  done
  # Let them go before deleting their files (a dying monitor still writes
  # its events and locks there).
  for p in "${killed[@]}"; do timeout 5 tail --pid="$p" -f /dev/null 2>/dev/null || true; done
  # Containers leave their shm (and, if killed, other) mounts behind.
  for m in $(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  # A process killed above may still be writing its last lines: try again.
  local i
  for i in 1 2 3 4 5; do
    rm -rf "$dir" 2>/dev/null && return 0
    sleep 0.5
  done
  rm -rf "$dir"
}

service_main "$@"
