package cli

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/urfave/cli/v2"
)

// VersionOptions are the options of version: none of its own (its
// output follows the global --json).
type VersionOptions struct{}

// BuildInfo says which savepoint this is (docs/json.md).
type BuildInfo struct {
	Version    string `json:"version"`
	Commit     string `json:"commit,omitempty"`      // VCS revision the binary was built from
	CommitTime string `json:"commit_time,omitempty"` // its commit time, RFC 3339
	Modified   bool   `json:"modified"`              // built from a work tree with uncommitted changes
	GoVersion  string `json:"go_version"`
	Platform   string `json:"platform"` // GOOS/GOARCH
}

// The commit a release build was made from, set by the Makefile with
// -ldflags -X: the Go toolchain stamps no VCS information into builds made
// in a linked git worktree (golang/go#58218), and none with -buildvcs=false.
var (
	buildCommit     string // full revision
	buildCommitTime string // RFC 3339
	buildModified   string // "true" when the work tree had uncommitted changes
)

func versionCommand() *cli.Command {
	return define(&cli.Command{
		Name:  "version",
		Usage: "print the version, commit and Go version this binary was built with",
	}, bindVersion, runVersion)
}

func bindVersion(c *cli.Context) (VersionOptions, error) {
	return VersionOptions{}, needArgs(c, 0, 0, "no arguments")
}

func runVersion(_ context.Context, g *Globals, _ VersionOptions) error {
	info, _ := debug.ReadBuildInfo()
	b := readBuildInfo(g.Version, info)
	if g.JSON {
		return printJSON(g.Env.Stdout, b)
	}
	fmt.Fprintln(g.Env.Stdout, b.String())
	return nil
}

// readBuildInfo combines the version the build stamped (make's
// -X main.version, "dev" otherwise) with what the Go toolchain recorded:
// the module version of `go install ...@vX.Y.Z`, and the VCS revision,
// time and dirty flag of a build in a git work tree; the Makefile's
// build* variables stand in for the VCS fields the toolchain left out.
func readBuildInfo(version string, info *debug.BuildInfo) BuildInfo {
	b := BuildInfo{Version: version, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH,
		Commit: buildCommit, CommitTime: buildCommitTime, Modified: buildModified == "true"}
	if info == nil {
		return b
	}
	if (b.Version == "" || b.Version == "dev") && info.Main.Version != "" && info.Main.Version != "(devel)" {
		b.Version = info.Main.Version
	}
	if info.GoVersion != "" {
		b.GoVersion = info.GoVersion
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.time":
			b.CommitTime = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// String is the one-line form: "savepoint v1.2.0 (commit 0123abcd, modified; go1.26.1 linux/amd64)".
func (b BuildInfo) String() string {
	s := "savepoint " + b.Version + " ("
	if b.Commit != "" {
		c := b.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		s += "commit " + c
		if b.Modified {
			s += ", modified"
		}
		s += "; "
	}
	return s + b.GoVersion + " " + b.Platform + ")"
}
