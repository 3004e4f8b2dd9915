#!/usr/bin/env bash
# Builds the release files into DIST (default dist/): for each platform of
# RELEASE_PLATFORMS (default linux, darwin and windows on amd64 and arm64)
#   savepoint_VERSION_OS_ARCH[.exe]        the static binary (.exe on windows)
#   savepoint_VERSION_OS_ARCH.cdx.json     its CycloneDX SBOM: the modules linked into that
#                                          binary, with their licenses (cyclonedx-gomod bin)
# and
#   savepoint_VERSION_completions.tar.gz   completions/savepoint.{bash,zsh,fish}
#   SHA256SUMS                             sha256sum of every file above (sha256sum -c SHA256SUMS)
# VERSION and LDFLAGS come from the Makefile (`make release`, which also builds the
# container images). cyclonedx-gomod is installed from its Go module into .tools/bin.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
ldflags=${LDFLAGS:--s -w -X main.version=$version}
dist=${DIST:-dist}
platforms=${RELEASE_PLATFORMS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64}
sbom_version=v1.10.0
sbom=$root/.tools/bin/cyclonedx-gomod

have=$( [ -x "$sbom" ] && "$sbom" version 2>/dev/null || true)
if [[ $have != *"$sbom_version"* ]]; then
  echo "installing cyclonedx-gomod $sbom_version into .tools/bin" >&2
  mkdir -p "$root/.tools/bin"
  GOBIN=$root/.tools/bin go install "github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod@$sbom_version"
fi

rm -rf "$dist"
mkdir -p "$dist/completions"
host=$(mktemp -d)
trap 'rm -rf "$host"' EXIT
CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$host/savepoint" .
for sh in bash zsh fish; do "$host/savepoint" completion "$sh" >"$dist/completions/savepoint.$sh"; done
tar -C "$dist" -czf "$dist/savepoint_${version}_completions.tar.gz" completions
rm -r "$dist/completions"

for p in $platforms; do
  os=${p%/*} arch=${p#*/}
  base=savepoint_${version}_${os}_${arch}
  exe=$base
  [ "$os" = windows ] && exe=$base.exe
  echo "== $os/$arch" >&2
  CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -ldflags "$ldflags" -o "$dist/$exe" .
  # The SBOM lists the modules linked into this very binary (its build info).
  # Licenses come from the module cache; the main module is not published
  # under this version (GOPROXY=off: no lookup), its license is LICENSE.
  GOPROXY=off "$sbom" bin -json -licenses -assert-licenses -version "$version" \
    -output "$dist/$base.cdx.json" "$dist/$exe" 2>"$host/sbom.log" ||
    { cat "$host/sbom.log" >&2; exit 1; }
done
(cd "$dist" && sha256sum savepoint_* >SHA256SUMS)
echo "release files in $dist:" >&2
ls -1 "$dist" >&2
