package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/crypto"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

func init() { crypto.ScryptN = 1 << 10 }

type result struct {
	code           int
	stdout, stderr string
}

// run runs the CLI in-process with SAVEPOINT_PASSWORD=pw unless env overrides.
func run(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		if k == "SAVEPOINT_PASSWORD" {
			return "pw"
		}
		return ""
	}
	code := Run(context.Background(), "test", args, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: getenv})
	return result{code, out.String(), errb.String()}
}

func setup(t *testing.T) (repo, work string) {
	t.Helper()
	base := t.TempDir()
	repo, work = filepath.Join(base, "repo"), filepath.Join(base, "work")
	testrepo.WriteFile(t, work, "src/main.go", []byte("package main"))
	testrepo.WriteFile(t, work, "src/lib/util.go", []byte("package lib"))
	old, _ := os.Getwd()
	os.Chdir(work)
	t.Cleanup(func() { os.Chdir(old) })
	if r := run(t, nil, "init", "--repo", repo); r.code != 0 {
		t.Fatalf("init: %d %s", r.code, r.stderr)
	}
	return repo, work
}

// oneLineError checks the rule for user mistakes: one line, non-zero, no trace.
func oneLineError(t *testing.T, r result, code int, want string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d (stderr %q)", r.code, code, r.stderr)
	}
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "savepoint: ") || !strings.Contains(lines[0], want) {
		t.Fatalf("stderr %q: want one line containing %q", r.stderr, want)
	}
	if strings.Contains(r.stderr, "goroutine") || strings.Contains(r.stderr, ".go:") {
		t.Fatalf("stack trace in %q", r.stderr)
	}
}

func TestSaveListRestoreJSON(t *testing.T) {
	repo, work := setup(t)
	r := run(t, nil, "--repo", repo, "--json", "save", "src", "--name", "app", "--tag", "ci")
	if r.code != 0 {
		t.Fatalf("save: %s", r.stderr)
	}
	var snap SnapshotJSON
	if err := json.Unmarshal([]byte(r.stdout), &snap); err != nil {
		t.Fatalf("save --json: %v in %q", err, r.stdout)
	}
	if snap.Name != "app" || snap.Stats.Files != 2 || len(snap.ID) != 64 || snap.Tags[0] != "ci" {
		t.Fatalf("save --json: %+v", snap)
	}
	r = run(t, nil, "--repo", repo, "--json", "snapshots", "--name", "app")
	var list []SnapshotJSON
	if json.Unmarshal([]byte(r.stdout), &list); len(list) != 1 || list[0].ID != snap.ID {
		t.Fatalf("snapshots --json: %s", r.stdout)
	}
	r = run(t, nil, "--repo", repo, "ls", snap.ShortID, "src/lib")
	if r.code != 0 || !strings.Contains(r.stdout, "src/lib/util.go") || strings.Contains(r.stdout, "main.go") {
		t.Fatalf("ls: %q %s", r.stdout, r.stderr)
	}
	target := filepath.Join(work, "out")
	r = run(t, nil, "--repo", repo, "restore", "app:latest", "--target", target)
	if r.code != 0 {
		t.Fatalf("restore: %s", r.stderr)
	}
	if d := testrepo.Equal(t, filepath.Join(work, "src"), filepath.Join(target, "src")); d != "" {
		t.Fatal(d)
	}
	testrepo.WriteFile(t, work, "src/new.go", []byte("package main // new"))
	run(t, nil, "--repo", repo, "save", "src", "--name", "app")
	r = run(t, nil, "--repo", repo, "diff", snap.ShortID, "latest")
	if r.code != 0 || !strings.Contains(r.stdout, "+ src/new.go") || !strings.Contains(r.stdout, "1 added") {
		t.Fatalf("diff: %q %s", r.stdout, r.stderr)
	}
	r = run(t, nil, "--repo", repo, "show", "latest")
	if r.code != 0 || !strings.Contains(r.stdout, "dedup ratio") || !strings.Contains(r.stdout, "parent") {
		t.Fatalf("show: %q", r.stdout)
	}
}

func TestUserMistakes(t *testing.T) {
	repo, work := setup(t)
	run(t, nil, "--repo", repo, "save", "src")
	oneLineError(t, run(t, nil, "--repo", filepath.Join(work, "nothing"), "snapshots"), ExitError, "savepoint init")
	oneLineError(t, run(t, map[string]string{"SAVEPOINT_PASSWORD": "wrong"}, "--repo", repo, "snapshots"), ExitError, "wrong password")
	oneLineError(t, run(t, map[string]string{"SAVEPOINT_PASSWORD": ""}, "--repo", repo, "snapshots"), ExitError, "SAVEPOINT_PASSWORD")
	oneLineError(t, run(t, nil, "--repo", repo, "restore", "deadbeef", "--target", "x"), ExitError, "not found")
	oneLineError(t, run(t, nil, "--repo", repo, "save", "no/such/dir"), ExitError, "cannot read no/such/dir")
	oneLineError(t, run(t, nil, "--repo", repo, "restore", "latest"), ExitUsage, "--target")
	oneLineError(t, run(t, nil, "--repo", repo, "save", "--bogus", "src"), ExitUsage, "bogus")
	oneLineError(t, run(t, nil, "save", "src"), ExitUsage, "no repository given")
	oneLineError(t, run(t, nil, "nosuchcommand"), ExitUsage, "unknown command")
	oneLineError(t, run(t, nil, "--repo", "ftp://x", "snapshots"), ExitError, "unknown repository scheme")
	oneLineError(t, run(t, nil, "--repo", repo, "init"), ExitError, "already exists")
	oneLineError(t, run(t, nil, "--repo", repo, "--password-file", filepath.Join(work, "nope"), "snapshots"), ExitError, "password file")
}

func TestCorruptedObjectIsNamed(t *testing.T) {
	repo, _ := setup(t)
	run(t, nil, "--repo", repo, "save", "src")
	var snapFile string
	filepath.Walk(filepath.Join(repo, string(storage.KindSnapshot)), func(p string, fi os.FileInfo, err error) error {
		if fi.Mode().IsRegular() {
			snapFile = p
		}
		return nil
	})
	os.Chmod(snapFile, 0o600)
	b, _ := os.ReadFile(snapFile)
	b[len(b)/2] ^= 1
	os.WriteFile(snapFile, b, 0o600)
	oneLineError(t, run(t, nil, "--repo", repo, "snapshots"), ExitError, filepath.Base(snapFile))
}

func TestPasswordSources(t *testing.T) {
	repo, work := setup(t)
	pwFile := filepath.Join(work, "pw.txt")
	os.WriteFile(pwFile, []byte("pw\n"), 0o600)
	none := map[string]string{"SAVEPOINT_PASSWORD": ""}
	if r := run(t, none, "--repo", repo, "--password-file", pwFile, "snapshots"); r.code != 0 {
		t.Fatalf("--password-file: %s", r.stderr)
	}
	if r := run(t, none, "--repo", repo, "--password-command", "echo pw", "snapshots"); r.code != 0 {
		t.Fatalf("--password-command: %s", r.stderr)
	}
	r := run(t, none, "--repo", repo, "--password-command", "echo s3cr3t-out; exit 3", "snapshots")
	if r.code == 0 || strings.Contains(r.stderr, "s3cr3t") {
		t.Fatalf("a failing password command must fail without echoing its output: %q", r.stderr)
	}
}

func TestInterspersedFlags(t *testing.T) {
	app := NewApp("t", Env{})
	got := strings.Join(interspersed(app, []string{"-r", "R", "restore", "latest", "--target", "D", "--json", "--include=x", "--", "-odd"}), " ")
	want := "-r R --json restore --target D --include=x latest -- -odd"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
