#!/usr/bin/env bash
# A distributed MinIO of four nodes (one drive each, erasure set 2+2) for the
# tests in tests/cluster: a node can be killed and restarted while savepoint
# runs against the others.
#
# MinIO refuses loopback peers when it detects a container, and two
# endpoints that share an address and port. So the nodes live in a network
# namespace this script makes, each on its own address of a private /24:
# the namespace's end of a veth pair carries .11-.14 (the nodes) and the
# host's end .1, so `go test` and the savepoint binary on the host reach the
# nodes directly (no `ip netns exec` around the tests, which would also cut
# them off from the other services on the host's 127.0.0.1). Nothing is
# forwarded beyond the pair. The /24 is derived from this checkout's path,
# so several checkouts on one machine get their own.
#   s3-cluster.sh install          build .tools/bin/minio unless present (as minio.sh);
#                                  curl (Debian) for the write probes
#   s3-cluster.sh start ENVFILE    make the namespace, start the four nodes, wait
#                                  for write quorum; append
#                                  SAVEPOINT_TEST_S3_CLUSTER_ENDPOINTS=IP:PORT,... (4),
#                                  SAVEPOINT_TEST_S3_CLUSTER_ACCESS_KEY,
#                                  SAVEPOINT_TEST_S3_CLUSTER_SECRET_KEY and
#                                  SAVEPOINT_TEST_S3_CLUSTER_CTL (this script) to ENVFILE
#   s3-cluster.sh stop             stop every node, delete the namespace and the drives
#   s3-cluster.sh stop-node N...   kill nodes N (1-4) with SIGKILL, as a crash would
#   s3-cluster.sh start-node N...  start nodes N again on their drives; wait until
#                                  they answer and, when 3 or more nodes run, until
#                                  every running node accepts writes
#   s3-cluster.sh status           print each node's state
# Needs root (ip netns, ip link).
set -euo pipefail
. "$(dirname "$0")/lib/service.sh"
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
root="$(cd "$(dirname "$self")/../.." && pwd)"
bin=$root/.tools/bin/minio
run=$root/.tools/run/s3-cluster
nodes=4

# The namespace, veth and /24 names follow from the checkout's path.
sum=$(printf '%s' "$root" | cksum | cut -d' ' -f1)
ns=sp-cluster-$((sum % 100000))
veth_host=spc$((sum % 100000))h
veth_ns=spc$((sum % 100000))n
net=10.$((200 + sum % 50)).$(((sum / 50) % 256))

addr() { echo "$net.$((10 + $1))"; }
port() { echo $((9000 + $1)); }

need_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "s3-cluster.sh: needs root for ip netns and ip link (run the tests as root, as CI does)" >&2
    exit 1
  fi
}

install() {
  bash "$root/scripts/services/minio.sh" install
  command -v curl >/dev/null || bash "$root/scripts/apt-install.sh" curl
}

endpoints() {
  local i out=()
  for i in $(seq 1 "$nodes"); do out+=("http://$(addr "$i"):$(port "$i")$run/drives/node$i"); done
  echo "${out[@]}"
}

start_node() {
  local i=$1
  # shellcheck disable=SC1091
  . "$run/credentials"
  mkdir -p "$run/drives/node$i"
  # `$!` must be MinIO itself: ip netns exec and env exec into it.
  ip netns exec "$ns" env MINIO_ROOT_USER="$user" MINIO_ROOT_PASSWORD="$pass" \
    MINIO_BROWSER=off MINIO_UPDATE=off MINIO_CI_CD=1 \
    "$bin" server --quiet --address "$(addr "$i"):$(port "$i")" \
    --console-address "$(addr "$i"):$(($(port "$i") + 100))" \
    $(endpoints) >>"$run/node$i.log" 2>&1 &
  echo $! >"$run/node$i.pid"
}

# http_status IP PORT PATH prints the HTTP status code of a GET.
http_status() {
  local status
  { exec 3<>"/dev/tcp/$1/$2"; } 2>/dev/null || { echo 000; return; }
  printf 'GET %s HTTP/1.0\r\nHost: %s:%s\r\n\r\n' "$3" "$1" "$2" >&3
  status=$(head -n 1 <&3 || true)
  exec 3<&-
  set -- $status
  echo "${2:-000}"
}

# running prints how many nodes run.
running() {
  local i n=0
  for i in $(seq 1 "$nodes"); do
    if [ -f "$run/node$i.pid" ] && alive "$(cat "$run/node$i.pid")"; then n=$((n + 1)); fi
  done
  echo "$n"
}

# wait_ready N: node N answers; when enough nodes run for a write quorum
# (3 of 4), every running node must also accept a write. A node started
# while others were down keeps them offline in its view for about ten
# seconds after they return, refusing writes with SlowDownWrite while its
# /minio/health/cluster already says 200; so the check is a real PUT
# (signed by curl) through each node. 60 s at most per node.
wait_ready() {
  local i=$1 j
  wait_status "$i" /minio/health/live || return 1
  [ "$(running)" -ge 3 ] || return 0
  for j in $(seq 1 "$nodes"); do
    if [ -f "$run/node$j.pid" ] && alive "$(cat "$run/node$j.pid")"; then
      wait_status "$j" /minio/health/cluster || return 1
      wait_write "$j" || return 1
    fi
  done
}

# s3_put N PATH [BODY] prints the HTTP status of a signed PUT through node N.
s3_put() {
  local body=${3:-}
  # shellcheck disable=SC1091
  . "$run/credentials"
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
    --aws-sigv4 "aws:amz:us-east-1:s3" --user "$user:$pass" \
    -H "x-amz-content-sha256: $(printf '%s' "$body" | sha256sum | cut -d' ' -f1)" \
    -X PUT --data-binary "$body" "http://$(addr "$1"):$(port "$1")$2" || true
}

# wait_write N waits until PUTs through node N succeed three times in a
# row, half a second apart: a node that has just seen its peers return may
# accept one write and refuse the next with SlowDownWrite while it still
# counts some of them offline (a save right after start-node once failed
# that way, ten attempts in six seconds).
wait_write() {
  local i=$1 n ok=0
  for n in $(seq 1 600); do
    if [ "$(s3_put "$i" /s3-cluster-ready/probe "node $i")" = 200 ]; then
      ok=$((ok + 1))
      [ "$ok" -ge 3 ] && return 0
      sleep 0.5
    else
      ok=0
      sleep 0.1
    fi
  done
  echo "minio node $i refused writes for 60s; its log:" >&2
  tail -n 20 "$run/node$i.log" >&2
  return 1
}

# wait_status N PATH waits until node N answers PATH with 200.
wait_status() {
  await 600 "$(cat "$run/node$1.pid")" "$run/node$1.log" "minio node $1 (answering $2)" answers "$1" "$2"
}

# answers N PATH: node N answers PATH with 200.
answers() { [ "$(http_status "$(addr "$1")" "$(port "$1")" "$2")" = 200 ]; }

start() {
  local envfile=${1:?usage: s3-cluster.sh start ENVFILE}
  need_root
  install
  stop
  if ip -4 route show | grep -q "^$net\.0/24 "; then
    echo "s3-cluster.sh: $net.0/24 is already routed on this machine; not touching it" >&2
    return 1
  fi
  mkdir -p "$run/drives"
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip link add "$veth_host" type veth peer name "$veth_ns" netns "$ns"
  ip addr add "$net.1/24" dev "$veth_host"
  ip link set "$veth_host" up
  local i
  for i in $(seq 1 "$nodes"); do ip -n "$ns" addr add "$(addr "$i")/24" dev "$veth_ns"; done
  ip -n "$ns" link set "$veth_ns" up
  {
    echo "user=sp$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    echo "pass=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  } >"$run/credentials"
  for i in $(seq 1 "$nodes"); do start_node "$i"; done
  for i in $(seq 1 "$nodes"); do wait_status "$i" /minio/health/cluster; done
  # The bucket of the write probes (see wait_ready).
  [ "$(s3_put 1 /s3-cluster-ready)" = 200 ] || { echo "s3-cluster.sh: cannot create the probe bucket" >&2; return 1; }
  for i in $(seq 1 "$nodes"); do wait_write "$i"; done
  # shellcheck disable=SC1091
  . "$run/credentials"
  local eps=()
  for i in $(seq 1 "$nodes"); do eps+=("$(addr "$i"):$(port "$i")"); done
  {
    echo "SAVEPOINT_TEST_S3_CLUSTER_ENDPOINTS=$(IFS=,; echo "${eps[*]}")"
    echo "SAVEPOINT_TEST_S3_CLUSTER_ACCESS_KEY=$user"
    echo "SAVEPOINT_TEST_S3_CLUSTER_SECRET_KEY=$pass"
    echo "SAVEPOINT_TEST_S3_CLUSTER_CTL=$self"
  } >>"$envfile"
}

# kill_node N SIGNAL stops node N and waits until it is gone.
kill_node() {
  local i=$1 sig=$2 pid
  [ -f "$run/node$i.pid" ] || return 0
  pid=$(cat "$run/node$i.pid")
  if kill "-$sig" "$pid" 2>/dev/null; then
    [ "$sig" = KILL ] || wait_gone "$pid"
    kill -9 "$pid" 2>/dev/null || true
    wait_gone "$pid"
  fi
  rm -f "$run/node$i.pid"
}

# wait_gone waits until pid is dead: gone, or a zombie its new parent has
# not reaped yet (it holds no socket and no file any more).
wait_gone() {
  for _ in $(seq 1 100); do
    alive "$1" || return 0
    sleep 0.02
  done
}

stop() {
  local i
  for i in $(seq 1 "$nodes"); do kill_node "$i" TERM; done
  if ip netns list 2>/dev/null | grep -qw "$ns"; then ip netns del "$ns"; fi
  # Deleting the namespace takes its veth end, and with it the pair.
  ip link del "$veth_host" 2>/dev/null || true
  rm -rf "$run"
}

# node_args checks the node numbers N... and prints them.
node_args() {
  local i
  [ $# -gt 0 ] || { echo "usage: s3-cluster.sh stop-node|start-node N... (1-$nodes)" >&2; exit 2; }
  for i in "$@"; do
    if ! [[ $i =~ ^[1-9]$ ]] || [ "$i" -gt "$nodes" ]; then
      echo "usage: s3-cluster.sh stop-node|start-node N... (1-$nodes)" >&2
      exit 2
    fi
  done
  [ -f "$run/credentials" ] || { echo "s3-cluster.sh: the cluster is not running" >&2; exit 1; }
  echo "$@"
}

# start_nodes N... starts the nodes that are down, then waits for them.
start_nodes() {
  local i
  for i in "$@"; do
    if ! { [ -f "$run/node$i.pid" ] && alive "$(cat "$run/node$i.pid")"; }; then start_node "$i"; fi
  done
  for i in "$@"; do wait_ready "$i"; done
}

status() {
  local i pid state
  for i in $(seq 1 "$nodes"); do
    state=down
    if [ -f "$run/node$i.pid" ] && pid=$(cat "$run/node$i.pid") && alive "$pid"; then state="up (pid $pid)"; fi
    echo "node $i $(addr "$i"):$(port "$i") $state"
  done
}

case "${1:-}" in
  install | start | stop) service_main "$@" ;;
  stop-node)
    shift
    list=$(node_args "$@")
    for i in $list; do kill_node "$i" KILL; done
    ;;
  start-node)
    shift
    list=$(node_args "$@")
    start_nodes $list
    ;;
  status) status ;;
  *) echo "usage: $0 install | start ENVFILE | stop | stop-node N... | start-node N... | status" >&2; exit 2 ;;
esac
