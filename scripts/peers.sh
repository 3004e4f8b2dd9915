#!/usr/bin/env bash
# The peers bench/compare measures savepoint against, built from their Go
# modules into .tools/bin (idempotent: a binary that already reports the
# wanted version is kept). The versions are the releases users compare us
# with; change them here and nowhere else.
#   scripts/peers.sh          build whatever is missing
#   scripts/peers.sh --print  print NAME PATH VERSION for each peer
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bin=$root/.tools/bin

RESTIC_VERSION=0.19.1
KOPIA_VERSION=0.21.1

# version NAME prints the version the binary in .tools/bin reports, or
# nothing when it is missing or broken.
version() {
  case $1 in
  restic) "$bin/restic" version 2>/dev/null | awk '{print $2}' ;;
  kopia) "$bin/kopia" --version 2>/dev/null | awk '{print $1}' ;;
  esac
}

# build NAME MODULE VERSION PACKAGE [LDFLAGS] builds PACKAGE of MODULE@VERSION
# from the module cache (read-only, hence -o) into .tools/bin/NAME.
build() {
  local name=$1 module=$2 want=$3 pkg=$4 ldflags=${5:-}
  [ "$(version "$name")" = "$want" ] && return 0
  echo "== building $name $want from $module@v$want into .tools/bin (a few minutes, once)" >&2
  local dir tmp
  dir=$(GOFLAGS=-mod=mod go mod download -json "$module@v$want" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$dir" ] || { echo "peers.sh: go mod download $module@v$want gave no directory" >&2; exit 1; }
  mkdir -p "$bin"
  tmp=$(mktemp "$bin/.$name.XXXXXX")
  (cd "$dir" && GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0 \
    go build -trimpath -ldflags "-s -w $ldflags" -o "$tmp" "$pkg") || { rm -f "$tmp"; exit 1; }
  mv -f "$tmp" "$bin/$name" # atomic: other worktrees share .tools/bin
  [ "$(version "$name")" = "$want" ] || { echo "peers.sh: $bin/$name does not report version $want" >&2; exit 1; }
}

if [ "${1:-}" = --print ]; then
  for p in restic kopia; do echo "$p $bin/$p $(version $p)"; done
  exit 0
fi
build restic github.com/restic/restic "$RESTIC_VERSION" ./cmd/restic
# kopia takes its version from the linker (its release Makefile does the same).
build kopia github.com/kopia/kopia "$KOPIA_VERSION" . \
  "-X github.com/kopia/kopia/repo.BuildVersion=$KOPIA_VERSION -X github.com/kopia/kopia/repo.BuildInfo=v$KOPIA_VERSION"
