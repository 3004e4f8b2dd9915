// Package release tests the release build (scripts/release.sh, run by
// `make release`): cross-compiled binaries (darwin and windows), their
// CycloneDX SBOMs, the shell completions and the SHA256SUMS file that
// covers them, and the default platforms.
package release
