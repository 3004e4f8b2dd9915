package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/testkdf"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

func init() { testkdf.Cheap() }

// cliRun runs the command line in-process against one repository: the one
// harness of this package's tests. The password is "pw" unless env says
// otherwise; --repo and --quiet come first when repo is set.
type cliRun struct {
	t    *testing.T
	repo string
	env  map[string]string
	in   io.Reader
}

// newCLI makes a repository of its own and a harness that uses it.
func newCLI(t *testing.T) *cliRun {
	r := cliAt(t, filepath.Join(t.TempDir(), "repo"))
	r.ok("init")
	return r
}

// cliAt is a harness for the repository at repo (none when empty),
// which it does not create.
func cliAt(t *testing.T, repo string) *cliRun {
	return &cliRun{t: t, repo: repo, env: map[string]string{"SAVEPOINT_PASSWORD": "pw"}}
}

// with returns a harness on the same repository with one more variable.
func (r *cliRun) with(k, v string) *cliRun {
	env := maps.Clone(r.env)
	env[k] = v
	return &cliRun{t: r.t, repo: r.repo, env: env}
}

func (r *cliRun) run(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	in := r.in
	if in == nil {
		in = strings.NewReader("")
	}
	r.in = nil
	env := Env{Stdin: in, Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return r.env[k] }}
	if r.repo != "" {
		args = append([]string{"--repo", r.repo, "--quiet"}, args...)
	}
	code := Run(context.Background(), "test", args, env)
	return code, out.String(), errOut.String()
}

// ok runs and fails the test on a non-zero exit.
func (r *cliRun) ok(args ...string) string {
	r.t.Helper()
	code, out, errOut := r.run(args...)
	if code != 0 {
		r.t.Fatalf("savepoint %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// fails checks the rule for user mistakes: exit code, one line on stderr
// containing want, no stack trace.
func (r *cliRun) fails(code int, want string, args ...string) {
	r.t.Helper()
	got, _, stderr := r.run(args...)
	if got != code {
		r.t.Errorf("savepoint %s: exit %d, want %d (stderr %q)", strings.Join(args, " "), got, code, stderr)
	}
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "savepoint: ") || !strings.Contains(lines[0], want) {
		r.t.Errorf("savepoint %s: stderr %q: want one line containing %q", strings.Join(args, " "), stderr, want)
	}
	if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, ".go:") {
		r.t.Errorf("stack trace in %q", stderr)
	}
}

func (r *cliRun) snapshots(args ...string) []SnapshotJSON {
	r.t.Helper()
	var list []SnapshotJSON
	if err := json.Unmarshal([]byte(r.ok(append([]string{"--json", "snapshots"}, args...)...)), &list); err != nil {
		r.t.Fatal(err)
	}
	return list
}

// workdir makes a small source tree (src/main.go, src/lib/util.go) and
// runs the rest of the test in it: save stores paths relative to it.
func workdir(t *testing.T) string {
	work := t.TempDir()
	testrepo.WriteFile(t, work, "src/main.go", []byte("package main"))
	testrepo.WriteFile(t, work, "src/lib/util.go", []byte("package lib"))
	t.Chdir(work)
	return work
}
