//go:build unix

package restore_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/restore"
)

// Links whose text looks harmless but that lead outside once the tree's
// other links (or links already in the target) are followed are refused,
// each named with the link it went through.
func TestHostileLinksThroughOtherLinks(t *testing.T) {
	hostileCase(t, func(t *testing.T, repo *repository.Repository, w *world) {
		// A link left in the target by an earlier restore (or a job).
		if err := os.MkdirAll(w.target, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(w.sentinel, filepath.Join(w.target, "planted")); err != nil {
			t.Fatal(err)
		}
		w.snap(t)
		s := writeHostile(t, repo,
			link("abs", filepath.Join(w.sentinel, "secret")),
			link("up", "../sentinel"),
			dir("dir",
				link("p", ".."),                     // the target itself: fine
				link("q", "p/.."),                   // reads as dir/, resolves to the target's parent
				link("r", "p/dir/p/dir/p/sub/../x"), // stays inside
				file("x", "inside")),
			link("chain1", "chain2/secret"),
			link("chain2", "dir/q/sentinel"),
			link("loopa", "loopb"),
			link("loopb", "loopa"),
			dir("deep", dir("a", dir("b", link("c", "../../../../sentinel")))),
			link("via-planted", "planted/secret"),
			link("inside", "ok"),
			file("ok", "restored"),
		)
		_, err := restore.Run(ctx, repo, s, restore.Options{Target: w.target})
		got := refusedPaths(t, err)
		want := []string{"abs", "chain1", "chain2", "deep/a/b/c", "dir/q", "loopa", "loopb", "up", "via-planted"}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("refused %q\nwant    %q\n%v", got, want, err)
		}
		for _, f := range err.(*restore.RefusedError).Refused {
			if !f.OutsideLink || strings.Contains(f.Reason, "--") {
				t.Errorf("%s: not marked as a link that Options.AllowOutsideLinks would make, or a flag in %q", f.Path, f.Reason)
			}
			if f.Path == "dir/q" && !strings.Contains(f.Reason, "through link dir/p") {
				t.Errorf("dir/q: the reason does not name the link it went through: %q", f.Reason)
			}
			if f.Path == "via-planted" && !strings.Contains(f.Reason, "through link planted") {
				t.Errorf("via-planted: the reason does not name the planted link: %q", f.Reason)
			}
		}
		for _, rel := range want {
			if _, err := os.Lstat(filepath.Join(w.target, rel)); err == nil {
				t.Errorf("refused link %s was created", rel)
			}
		}
		for rel, dest := range map[string]string{"dir/p": "..", "dir/r": "p/dir/p/dir/p/sub/../x", "inside": "ok"} {
			if l, err := os.Readlink(filepath.Join(w.target, rel)); err != nil || l != dest {
				t.Errorf("%s was not restored: %v", rel, err)
			}
		}
		w.unchanged(t)

		// With --allow-outside-links every link is made, and still nothing
		// is written through one.
		other := filepath.Join(w.base, "target", "other")
		if _, err := restore.Run(ctx, repo, s, restore.Options{Target: other, AllowOutsideLinks: true}); err != nil {
			t.Fatalf("with AllowOutsideLinks: %v", err)
		}
		if l, _ := os.Readlink(filepath.Join(other, "up")); l != "../sentinel" {
			t.Fatal("AllowOutsideLinks must restore the link")
		}
		w.unchanged(t)
	})
}

// A link restored on purpose (--allow-outside-links) and then an entry of
// the same name in a later snapshot restored into the same target: the
// link is replaced, never written or chmod-ed through.
func TestHostileLinksThenEntriesOfSameName(t *testing.T) {
	hostileCase(t, func(t *testing.T, repo *repository.Repository, w *world) {
		first := writeHostile(t, repo, link("d", "../sentinel"), link("f", "../sentinel/secret"), link("g", "../sentinel/x"))
		if _, err := restore.Run(ctx, repo, first, restore.Options{Target: w.target, AllowOutsideLinks: true}); err != nil {
			t.Fatal(err)
		}
		second := writeHostile(t, repo,
			dir("d", file("secret", "pwned"), dir("sub", file("deeper", "pwned")), file("x", "pwned")).mode(0o777),
			file("f", "pwned").mode(0o4777),
			file("g", "").mode(0o777),
		)
		if _, err := restore.Run(ctx, repo, second, restore.Options{Target: w.target}); err != nil {
			t.Fatal(err)
		}
		w.unchanged(t)
		if b, _ := os.ReadFile(filepath.Join(w.target, "d/sub/deeper")); string(b) != "pwned" {
			t.Fatal("the second snapshot was not restored")
		}
		if fi, _ := os.Lstat(filepath.Join(w.target, "d")); !fi.IsDir() || fi.Mode().Perm() != 0o777 {
			t.Fatalf("d is %v, want a directory of mode 0777", fi.Mode())
		}
	})
}

// Directories of a first restore replaced by links (and a file by a hard
// link to a file outside) before a second restore into the same target:
// the second restore replaces them and writes nothing outside.
func TestHostileDirectoriesReplacedByLinks(t *testing.T) {
	hostileCase(t, func(t *testing.T, repo *repository.Repository, w *world) {
		s := writeHostile(t, repo, dir("d", file("secret", "restored"), dir("sub", file("deeper", "restored")), file("x", "restored")).mode(0o700))
		if _, err := restore.Run(ctx, repo, s, restore.Options{Target: w.target}); err != nil {
			t.Fatal(err)
		}
		d := filepath.Join(w.target, "d")
		if err := os.RemoveAll(filepath.Join(d, "sub")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(w.sentinel, "sub"), filepath.Join(d, "sub")); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(filepath.Join(d, "x")); err != nil {
			t.Fatal(err)
		}
		if err := os.Link(filepath.Join(w.sentinel, "x"), filepath.Join(d, "x")); err != nil {
			t.Fatal(err)
		}
		w.snap(t)
		if _, err := restore.Run(ctx, repo, s, restore.Options{Target: w.target}); err != nil {
			t.Fatal(err)
		}
		// Unlinking the hard link moves the sentinel file's ctime (its link
		// count changed); everything else must be as it was.
		if got, want := w.state(t, false), w.before; got != stripCtime(want) {
			t.Fatalf("something outside the target changed:\n%s\n%s", want, got)
		}
		if b, _ := os.ReadFile(filepath.Join(d, "x")); string(b) != "restored" {
			t.Fatal("d/x not restored")
		}

		// Now the whole directory becomes a link.
		if err := os.RemoveAll(d); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(w.sentinel, d); err != nil {
			t.Fatal(err)
		}
		w.snap(t)
		if _, err := restore.Run(ctx, repo, s, restore.Options{Target: w.target}); err != nil {
			t.Fatal(err)
		}
		w.unchanged(t)
		if fi, _ := os.Lstat(d); !fi.IsDir() || fi.Mode().Perm() != 0o700 {
			t.Fatalf("d is %v, want a directory of mode 0700", fi.Mode())
		}
		if b, _ := os.ReadFile(filepath.Join(d, "sub/deeper")); string(b) != "restored" {
			t.Fatal("d/sub/deeper not restored")
		}
	})
}

func stripCtime(state string) string {
	lines := strings.Split(state, "\n")
	for i, l := range lines {
		if j := strings.Index(l, " ctime="); j >= 0 {
			k := strings.IndexByte(l[j+1:], ' ')
			if k < 0 {
				lines[i] = l[:j]
			} else {
				lines[i] = l[:j] + l[j+1+k:]
			}
		}
	}
	return strings.Join(lines, "\n")
}
