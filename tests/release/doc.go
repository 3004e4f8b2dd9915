// Package release tests the release build (scripts/release.sh, run by
// `make release`): a cross-compiled binary, its CycloneDX SBOM, the shell
// completions and the SHA256SUMS file that covers them.
package release
