package cli

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// testdata/v1/repo was made by savepoint's version 1 code (main at dabf19b,
// before format version 2): `savepoint init --pack-size 1048576` and
// `savepoint save -n fixture src` with the password below, in testdata/v1.
const v1Password = "fixture-password"

// sameContent compares the files under two directories by content (the
// fixture's checkout has other mtimes than the ones saved).
func sameContent(t *testing.T, want, got string) {
	t.Helper()
	n := 0
	filepath.WalkDir(want, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(want, p)
		a, _ := os.ReadFile(p)
		b, err := os.ReadFile(filepath.Join(got, rel))
		if err != nil || !bytes.Equal(a, b) {
			t.Fatalf("%s: restored content differs (%v)", rel, err)
		}
		n++
		return nil
	})
	if n == 0 {
		t.Fatal("no files compared")
	}
}

func configVersion(t *testing.T, repo string) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repo, "config", "config"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct{ Version int }
	if err := json.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	return cfg.Version
}

func packTrailers(t *testing.T, repo string) map[string]int {
	t.Helper()
	out := map[string]int{}
	filepath.WalkDir(filepath.Join(repo, "data"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			out[string(b[len(b)-4:])]++
		}
		return nil
	})
	return out
}

func TestMigrateVersion1Repository(t *testing.T) {
	r := &cliRun{t: t, repo: filepath.Join(t.TempDir(), "repo"), env: map[string]string{"SAVEPOINT_PASSWORD": v1Password}}
	src, err := filepath.Abs("testdata/v1/src")
	if err != nil {
		t.Fatal(err)
	}
	testrepo.CopyTree(t, "testdata/v1/repo", r.repo) // the test changes it

	// The version 1 repository reads and restores as it is.
	if list := r.snapshots(); len(list) != 1 || list[0].Name != "fixture" {
		t.Fatalf("snapshots of the fixture: %+v", list)
	}
	target := t.TempDir()
	r.ok("restore", "fixture:latest", "--target", target)
	sameContent(t, src, filepath.Join(target, "src"))

	// Nothing changes without an explicit migrate: a save into a version 1
	// repository writes version 1 packs.
	work := t.TempDir()
	t.Chdir(work)
	testrepo.WriteFile(t, work, "more/one.txt", []byte(strings.Repeat("version one data ", 200)))
	r.ok("save", "-n", "before", "more")
	if v := configVersion(t, r.repo); v != 1 {
		t.Fatalf("config version %d after a save, want 1", v)
	}
	if tr := packTrailers(t, r.repo); tr["SPK2"] != 0 {
		t.Fatalf("version 2 packs in a version 1 repository: %v", tr)
	}

	if out := r.ok("migrate", "--dry-run"); !strings.Contains(out, "would migrate") || configVersion(t, r.repo) != 1 {
		t.Fatalf("dry run: %q, config version %d", out, configVersion(t, r.repo))
	}
	if out := r.ok("migrate"); !strings.Contains(out, "from format version 1 to 2") {
		t.Fatalf("migrate: %q", out)
	}
	if v := configVersion(t, r.repo); v != 2 {
		t.Fatalf("config version %d after migrate", v)
	}
	var again MigrateJSON
	if err := json.Unmarshal([]byte(r.ok("--json", "migrate")), &again); err != nil || again.Changed || again.From != 2 {
		t.Fatalf("second migrate: %+v %v", again, err)
	}

	// Old data still reads; new data goes into version 2 packs.
	testrepo.WriteFile(t, work, "more/two.txt", []byte(strings.Repeat("version two data ", 300)))
	r.ok("save", "-n", "after", "more")
	if tr := packTrailers(t, r.repo); tr["SPK1"] != 2 || tr["SPK2"] != 1 {
		t.Fatalf("pack trailers after migrate: %v (want the two v1 packs and one v2)", tr)
	}
	r.ok("verify", "--read-data")
	for _, name := range []string{"fixture", "after"} {
		target := t.TempDir()
		r.ok("restore", name+":latest", "--target", target)
		if name == "fixture" {
			sameContent(t, src, filepath.Join(target, "src"))
		} else {
			sameContent(t, filepath.Join(work, "more"), filepath.Join(target, "more"))
		}
	}
}
