package cli

import (
	"bytes"
	"encoding/json"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// runArgs runs the command line in-process and returns the exit code and
// the two streams.
func runArgs(t *testing.T, version string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(t.Context(), version, args, Env{Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }})
	return code, out.String(), errOut.String()
}

func TestVersionCommand(t *testing.T) {
	code, out, errOut := runArgs(t, "v1.2.3", "version")
	if code != 0 || !strings.HasPrefix(out, "savepoint v1.2.3 (") || !strings.Contains(out, runtime.GOOS+"/"+runtime.GOARCH+")") {
		t.Fatalf("version: exit %d, %q %q", code, out, errOut)
	}
	code, out, _ = runArgs(t, "v1.2.3", "--json", "version")
	var b BuildInfo
	if err := json.Unmarshal([]byte(out), &b); code != 0 || err != nil {
		t.Fatalf("version --json: exit %d, %v: %q", code, err, out)
	}
	if b.Version != "v1.2.3" || b.GoVersion == "" || b.Platform != runtime.GOOS+"/"+runtime.GOARCH {
		t.Fatalf("version --json: %+v", b)
	}
	if code, _, errOut := runArgs(t, "v1", "version", "extra"); code != ExitUsage || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("version with an argument: exit %d, %q", code, errOut)
	}
}

func TestReadBuildInfo(t *testing.T) {
	info := &debug.BuildInfo{GoVersion: "go1.99.1", Main: debug.Module{Version: "v0.4.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-11-30T10:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	b := readBuildInfo("dev", info)
	want := BuildInfo{Version: "v0.4.0", Commit: "0123456789abcdef0123456789abcdef01234567", CommitTime: "2026-11-30T10:00:00Z",
		Modified: true, GoVersion: "go1.99.1", Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if b != want {
		t.Fatalf("readBuildInfo = %+v, want %+v", b, want)
	}
	if s := b.String(); s != "savepoint v0.4.0 (commit 0123456789ab, modified; go1.99.1 "+want.Platform+")" {
		t.Fatalf("String() = %q", s)
	}
	// The version make stamps wins over the module's; a worktree build has
	// no VCS settings, and the Makefile's variables stand in.
	old := buildCommit
	buildCommit = "fedcba9876543210"
	defer func() { buildCommit = old }()
	b = readBuildInfo("v0.5.0-3-gabc", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}})
	if b.Version != "v0.5.0-3-gabc" || b.Commit != "fedcba9876543210" || b.Modified {
		t.Fatalf("readBuildInfo without VCS settings = %+v", b)
	}
}

func TestPrintVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"-v"}, {"version"}} {
		var out bytes.Buffer
		if !PrintVersion(&out, "savepoint-plugin", "v1.2.3", args) || out.String() != "savepoint-plugin version v1.2.3\n" {
			t.Errorf("%v: %q", args, out.String())
		}
	}
	for _, args := range [][]string{nil, {"post"}, {"--version", "x"}, {"save"}} {
		var out bytes.Buffer
		if PrintVersion(&out, "savepoint-action", "v1", args) || out.Len() != 0 {
			t.Errorf("%v taken for a version request: %q", args, out.String())
		}
	}
}
