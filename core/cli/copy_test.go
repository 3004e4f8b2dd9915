package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
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
	dst.restoresIdentical(work)
}

// restoresIdentical restores app:latest from r and compares it with
// work/src, then verifies r's data.
func (r *cliRun) restoresIdentical(work string) {
	r.t.Helper()
	target := filepath.Join(work, "restored")
	r.ok("restore", "--target", target, "app:latest")
	if d := testrepo.Equal(r.t, filepath.Join(work, "src"), filepath.Join(target, "src")); d != "" {
		r.t.Fatal(d)
	}
	r.ok("verify", "--read-data")
}

// index opens r's repository as the CLI does and loads its index.
func (r *cliRun) index() *repository.Index {
	r.t.Helper()
	ctx := context.Background()
	repo, err := openRepo(ctx, &Globals{Repo: r.repo, Env: Env{Getenv: func(k string) string { return r.env[k] }}})
	if err == nil {
		err = repo.LoadIndex(ctx)
	}
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { repo.Close() })
	return repo.Index()
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

// TestInitCopyKeyFrom: B made with init --copy-key-from A (each with its
// own password) names blobs as A does, a copy moves A's stored units as
// they are, and B restores identical and verifies.
func TestInitCopyKeyFrom(t *testing.T) {
	work := workdir(t)
	for i := range 20 {
		text := strings.Repeat("line "+strconv.Itoa(i)+" of a source file\n", 400)
		testrepo.WriteFile(t, work, "src/pkg/f"+strconv.Itoa(i)+".txt", []byte(text))
	}
	testrepo.WriteFile(t, work, "src/blob.bin", testrepo.Random(3<<20))
	src, _ := copyPair(t)
	src.ok("save", "--name", "app", "src")
	dst := cliAt(t, filepath.Join(t.TempDir(), "b")).with("SAVEPOINT_FROM_PASSWORD", "from-pw")
	if out := dst.ok("init", "--copy-key-from", src.repo); !strings.Contains(out, "sharing the master key") {
		t.Fatalf("init said %q", out)
	}

	var st snapcopy.Stats
	if err := json.Unmarshal([]byte(dst.with("SAVEPOINT_FROM_REPOSITORY", src.repo).ok("--json", "copy", "--all")), &st); err != nil {
		t.Fatal(err)
	}
	if !st.SharedKey || st.Copied != 1 || st.UnitsRaw == 0 || st.UnitsResealed != 0 {
		t.Fatalf("copy: %+v", st)
	}
	a, b := src.index(), dst.index()
	n := 0
	a.Each(func(id repository.ID, _ repository.Location) {
		n++
		if !b.Has(id) {
			t.Errorf("blob %s of A is not in B", id.Short())
		}
	})
	if n == 0 || b.Len() != n {
		t.Fatalf("A holds %d blobs, B %d", n, b.Len())
	}
	dst.restoresIdentical(work)
}

// TestInitCopyKeyFromMistakes: each mistake is one line and its
// documented code, and leaves no repository behind.
func TestInitCopyKeyFromMistakes(t *testing.T) {
	work := workdir(t)
	src, _ := copyPair(t)
	b := filepath.Join(work, "b")
	dst := cliAt(t, b).with("SAVEPOINT_FROM_PASSWORD", "from-pw")
	dst.with("SAVEPOINT_FROM_PASSWORD", "wrong").fails(ExitPassword, "source", "init", "--copy-key-from", src.repo)
	dst.with("SAVEPOINT_FROM_PASSWORD", "").fails(ExitPassword, "SAVEPOINT_FROM_PASSWORD", "init", "--copy-key-from", src.repo)
	dst.fails(ExitNoRepository, "source", "init", "--copy-key-from", filepath.Join(work, "none"))
	dst.fails(ExitUsage, "chunker", "init", "--copy-key-from", src.repo, "--chunk-avg", "65536")
	dst.fails(ExitUsage, "encrypted", "init", "--copy-key-from", src.repo, "--no-encryption")
	dst.fails(ExitUsage, "needs --copy-key-from", "init", "--from-password-file", "pw")
	if _, err := os.Stat(b); !os.IsNotExist(err) {
		t.Fatalf("a failed init left %s: %v", b, err)
	}
	src.fails(ExitUsage, "same repository", "init", "--copy-key-from", src.repo)
}
