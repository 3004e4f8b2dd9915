package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/snapcopy"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// copyFrom is a harness on repository dst that copies from src, whose
// password is "from-pw".
func copyPair(t *testing.T) (src, dst *cliRun) {
	src = cliAt(t, filepath.Join(t.TempDir(), "a")).with("SAVEPOINT_PASSWORD", "from-pw")
	src.ok("init")
	dst = newCLI(t).with("SAVEPOINT_FROM_PASSWORD", "from-pw").with("SAVEPOINT_FROM_REPOSITORY", src.repo)
	return src, dst
}

// TestCopyCommand: copy between repositories of different passwords, JSON
// output, skipping what was copied, and the copy restores identical.
func TestCopyCommand(t *testing.T) {
	work := workdir(t)
	src, dst := copyPair(t)
	src.ok("save", "--name", "app", "--tag", "ci", "src")
	src.ok("save", "--name", "other", "src")
	var st snapcopy.Stats
	if err := json.Unmarshal([]byte(dst.ok("--json", "copy", "--name", "app")), &st); err != nil {
		t.Fatal(err)
	}
	if st.Copied != 1 || st.Skipped != 0 || len(st.Snapshots) != 1 || st.BlobsNew == 0 {
		t.Fatalf("%+v", st)
	}
	list := dst.snapshots()
	orig := src.snapshots("--name", "app")
	if len(list) != 1 || list[0].Original != orig[0].ID || list[0].Name != "app" || len(list[0].Tags) != 1 || !list[0].Time.Equal(orig[0].Time) {
		t.Fatalf("copy %+v of %+v", list, orig)
	}
	// --all copies the other one and skips the first.
	if err := json.Unmarshal([]byte(dst.ok("--json", "copy", "--all")), &st); err != nil {
		t.Fatal(err)
	}
	if st.Copied != 1 || st.Skipped != 1 {
		t.Fatalf("%+v", st)
	}
	out := dst.ok("copy", orig[0].ShortID)
	if want := "skipped " + orig[0].ShortID; !strings.Contains(out, want) {
		t.Fatalf("%q: want %q", out, want)
	}
	target := filepath.Join(work, "restored")
	dst.ok("restore", "--target", target, "app:latest")
	if d := testrepo.Equal(t, filepath.Join(work, "src"), filepath.Join(target, "src")); d != "" {
		t.Fatal(d)
	}
	dst.ok("verify", "--read-data")
}

// TestCopyMistakes: each mistake is one line and its documented code.
func TestCopyMistakes(t *testing.T) {
	work := workdir(t)
	src, dst := copyPair(t)
	src.ok("save", "--name", "app", "src")
	dst.fails(ExitUsage, "say which snapshots", "copy")
	dst.fails(ExitUsage, "not more than one", "copy", "--all", "--name", "app")
	dst.fails(ExitUsage, "--last needs --name", "copy", "--last", "2")
	dst.fails(ExitUsage, "above 0", "copy", "--name", "app", "--last", "0")
	dst.with("SAVEPOINT_FROM_REPOSITORY", "").fails(ExitUsage, "--from-repo", "copy", "--all")
	dst.with("SAVEPOINT_FROM_REPOSITORY", dst.repo).fails(ExitUsage, "same repository", "copy", "--all")
	dst.with("SAVEPOINT_FROM_PASSWORD", "").fails(ExitPassword, "SAVEPOINT_FROM_PASSWORD", "copy", "--all")
	dst.with("SAVEPOINT_FROM_PASSWORD", "wrong").fails(ExitPassword, "source", "copy", "--all")
	dst.with("SAVEPOINT_PASSWORD", "wrong").fails(ExitPassword, "wrong password", "copy", "--all")
	dst.fails(ExitNoSnapshot, "not found", "copy", "deadbeef")
	dst.fails(ExitNoSnapshot, "no snapshot named", "copy", "--name", "nothing")
	dst.with("SAVEPOINT_FROM_REPOSITORY", filepath.Join(work, "none")).fails(ExitNoRepository, "source", "copy", "--all")
	cliAt(t, filepath.Join(work, "none")).with("SAVEPOINT_FROM_REPOSITORY", src.repo).with("SAVEPOINT_FROM_PASSWORD", "from-pw").
		fails(ExitNoRepository, "savepoint init", "copy", "--all")
	pw := filepath.Join(work, "pw")
	os.WriteFile(pw, []byte("from-pw\n"), 0o600)
	dst.with("SAVEPOINT_FROM_PASSWORD", "").ok("copy", "--from-password-file", pw, "--all")
	dst.with("SAVEPOINT_FROM_PASSWORD", "").ok("copy", "--from-password-command", "echo from-pw", "--all")
	if n := len(dst.snapshots()); n != 1 {
		t.Fatalf("%d snapshots after three copies of one", n)
	}
}
