package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

func TestSaveListRestoreJSON(t *testing.T) {
	work := workdir(t)
	r := newCLI(t)
	var snap SnapshotJSON
	if err := json.Unmarshal([]byte(r.ok("--json", "save", "src", "--name", "app", "--tag", "ci")), &snap); err != nil {
		t.Fatalf("save --json: %v", err)
	}
	if snap.Name != "app" || snap.Stats.Files != 2 || len(snap.ID) != 64 || snap.Tags[0] != "ci" {
		t.Fatalf("save --json: %+v", snap)
	}
	if list := r.snapshots("--name", "app"); len(list) != 1 || list[0].ID != snap.ID {
		t.Fatalf("snapshots --json: %v", list)
	}
	if out := r.ok("ls", snap.ShortID, "src/lib"); !strings.Contains(out, "src/lib/util.go") || strings.Contains(out, "main.go") {
		t.Fatalf("ls: %q", out)
	}
	target := filepath.Join(work, "out")
	r.ok("restore", "app:latest", "--target", target)
	if d := testrepo.Equal(t, filepath.Join(work, "src"), filepath.Join(target, "src")); d != "" {
		t.Fatal(d)
	}
	testrepo.WriteFile(t, work, "src/new.go", []byte("package main // new"))
	r.ok("save", "src", "--name", "app")
	if out := r.ok("diff", snap.ShortID, "latest"); !strings.Contains(out, "+ src/new.go") || !strings.Contains(out, "1 added") {
		t.Fatalf("diff: %q", out)
	}
	if out := r.ok("show", "latest"); !strings.Contains(out, "dedup ratio") || !strings.Contains(out, "parent") {
		t.Fatalf("show: %q", out)
	}
}

// TestUserMistakes: every mistake is one line on stderr and its documented
// exit code (docs/cli.md).
func TestUserMistakes(t *testing.T) {
	work := workdir(t)
	r := newCLI(t)
	r.ok("save", "src")
	cliAt(t, filepath.Join(work, "nothing")).fails(ExitNoRepository, "savepoint init", "snapshots")
	r.with("SAVEPOINT_PASSWORD", "wrong").fails(ExitPassword, "wrong password", "snapshots")
	r.with("SAVEPOINT_PASSWORD", "").fails(ExitPassword, "SAVEPOINT_PASSWORD", "snapshots")
	r.fails(ExitNoSnapshot, "not found", "restore", "deadbeef", "--target", "x")
	r.fails(ExitNoSnapshot, "not found", "dump", "deadbeef", "db")
	r.fails(ExitNoSnapshot, "no checkpoint", "rollback", "--name", "nothing-of-that-name")
	r.fails(ExitError, "cannot read no/such/dir", "save", "no/such/dir")
	r.fails(ExitUsage, "--target", "restore", "latest")
	r.fails(ExitUsage, "bogus", "save", "--bogus", "src")
	r.fails(ExitUsage, "max-unused", "prune", "--max-unused", "lots")
	r.fails(ExitUsage, "clock-skew", "prune", "--clock-skew", "-1s")
	r.fails(ExitError, "already exists", "init")
	r.fails(ExitError, "password file", "--password-file", filepath.Join(work, "nope"), "snapshots")
	bare := cliAt(t, "")
	bare.fails(ExitUsage, "no repository given", "save", "src")
	bare.fails(ExitUsage, "unknown command", "nosuchcommand")
	bare.fails(ExitError, "unknown repository scheme", "--repo", "ftp://x", "snapshots")
	cliAt(t, filepath.Join(work, "new")).with("SAVEPOINT_PASSWORD", "").fails(ExitPassword, "--no-encryption", "init")
}

func TestCorruptedObjectIsNamed(t *testing.T) {
	workdir(t)
	r := newCLI(t)
	r.ok("save", "src")
	var snapFile string
	filepath.Walk(filepath.Join(r.repo, string(storage.KindSnapshot)), func(p string, fi os.FileInfo, err error) error {
		if fi.Mode().IsRegular() {
			snapFile = p
		}
		return nil
	})
	os.Chmod(snapFile, 0o600)
	b, _ := os.ReadFile(snapFile)
	b[len(b)/2] ^= 1
	os.WriteFile(snapFile, b, 0o600)
	r.fails(ExitError, filepath.Base(snapFile), "snapshots")
}

func TestPasswordSources(t *testing.T) {
	work := workdir(t)
	pwFile := filepath.Join(work, "pw.txt")
	os.WriteFile(pwFile, []byte("pw\n"), 0o600)
	r := newCLI(t).with("SAVEPOINT_PASSWORD", "")
	r.ok("--password-file", pwFile, "snapshots")
	r.ok("--password-command", "echo pw", "snapshots")
	code, _, stderr := r.run("--password-command", "echo s3cr3t-out; exit 3", "snapshots")
	if code == 0 || strings.Contains(stderr, "s3cr3t") {
		t.Fatalf("a failing password command must fail without echoing its output: %q", stderr)
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
