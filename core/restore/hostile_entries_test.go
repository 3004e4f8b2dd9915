//go:build unix

package restore_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/restore"
)

// Names that cannot be restored safely are refused one by one, shown
// printable, and nothing is written for them or below them.
func TestHostileNames(t *testing.T) {
	hostileCase(t, func(t *testing.T, repo *repository.Repository, w *world) {
		s := writeHostile(t, repo,
			file("..", "pwned"),
			file(".", "pwned"),
			file("", "pwned"),
			file("a/b", "pwned"),
			file("../sentinel/secret", "pwned"),
			file("/etc-passwd", "pwned"),
			file("nul\x00byte", "pwned"),
			file(strings.Repeat("n", 256), "pwned"),
			dir("sub", file("", "pwned"), file("esc\x1b[2J\x7f", "fine"), dir("..", file("secret", "pwned"))),
			dir("bad\x01\x00dir", file("x", "pwned")),
			file("ok", "restored"),
		)
		_, err := restore.Run(ctx, repo, s, restore.Options{Target: w.target})
		got := refusedPaths(t, err)
		want := []string{`.`, `..`, `..\x2fsentinel\x2fsecret`, `<empty name>`, `\x2fetc-passwd`, `a\x2fb`, `bad\x01\x00dir`, strings.Repeat("n", 256), `nul\x00byte`, `sub/..`, `sub/<empty name>`}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("refused %q\nwant    %q", got, want)
		}
		w.unchanged(t)
		if b, _ := os.ReadFile(filepath.Join(w.target, "ok")); string(b) != "restored" {
			t.Fatal("the valid entry was not restored")
		}
		if b, _ := os.ReadFile(filepath.Join(w.target, "sub", "esc\x1b[2J\x7f")); string(b) != "fine" {
			t.Fatal("a name with control bytes is valid and must be restored")
		}
		names, _ := os.ReadDir(w.target)
		if len(names) != 2 {
			t.Fatalf("the target holds %d entries, want ok and sub", len(names))
		}
	})
}

// Two entries of one name in a tree (a link and a directory, so that one
// could be written through the other) make the tree unreadable: the
// restore fails, names the entry and writes nothing.
func TestHostileDuplicateNames(t *testing.T) {
	hostileCase(t, func(t *testing.T, repo *repository.Repository, w *world) {
		s := writeUnsorted(t, repo, dir("d", link("l", "x")), link("d", "../sentinel"), dir("d", file("secret", "pwned")))
		_, err := restore.Run(ctx, repo, s, restore.Options{Target: w.target, AllowOutsideLinks: true})
		if err == nil || errors.Is(err, restore.ErrRefused) || !strings.Contains(err.Error(), "name d appears twice") {
			t.Fatalf("want a failed restore naming d: %v", err)
		}
		w.unchanged(t)
		if _, err := os.Lstat(w.target); !os.IsNotExist(err) {
			t.Fatal("a restore whose tree cannot be read must not even create the target")
		}
		s = writeUnsorted(t, repo, dir("a", file("z", "1"), file("b", "2")))
		if _, err := restore.Run(ctx, repo, s, restore.Options{Target: w.target}); err == nil || !strings.Contains(err.Error(), "a: tree") || !strings.Contains(err.Error(), "names not sorted (z before b)") {
			t.Fatalf("want a failed restore naming a and its entries: %v", err)
		}
	})
}

// Files whose declared size their content does not back are refused and
// nothing is left for them: no terabyte sparse file, no partial file.
func TestHostileDeclaredSizes(t *testing.T) {
	hostileCase(t, func(t *testing.T, repo *repository.Repository, w *world) {
		s := writeHostile(t, repo,
			file("huge", "").declare(1<<40),
			file("short", "abc").declare(10),
			file("long", "abcdef").declare(2),
			file("negative", "").declare(math.MaxUint64),
			dir("d", file("zero", "abc").declare(0)),
			file("ok", "restored"),
			file("empty", ""),
		)
		_, err := restore.Run(ctx, repo, s, restore.Options{Target: w.target})
		if got, want := refusedPaths(t, err), []string{"d/zero", "huge", "long", "negative", "short"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("refused %q, want %q", got, want)
		}
		for _, f := range err.(*restore.RefusedError).Refused {
			if !strings.Contains(f.Reason, "size does not match the content: declared") {
				t.Errorf("%s: reason %q", f.Path, f.Reason)
			}
		}
		for _, rel := range []string{"huge", "short", "long", "negative", "d/zero"} {
			if _, err := os.Lstat(filepath.Join(w.target, rel)); !os.IsNotExist(err) {
				t.Errorf("something was left for refused %s", rel)
			}
		}
		if b, err := os.ReadFile(filepath.Join(w.target, "ok")); err != nil || string(b) != "restored" {
			t.Fatal("ok not restored")
		}
		w.unchanged(t)
	})
}

// By default setuid, setgid and sticky bits are dropped and owners not
// restored; KeepSpecialBits and SameOwner restore them.
func TestHostileSpecialBits(t *testing.T) {
	hostileCase(t, func(t *testing.T, repo *repository.Repository, w *world) {
		owned := func(e entry) entry { e.UID, e.GID = 4242, 4343; return e }
		s := writeHostile(t, repo,
			owned(file("suid", "#!/bin/sh").mode(0o4755)),
			file("sgid", "x").mode(0o2711),
			owned(dir("tmp", file("f", "x")).mode(0o1777)),
			owned(link("ln", "suid")),
		)
		check := func(target string, keep bool) {
			t.Helper()
			for rel, m := range map[string]uint32{"suid": 0o4755, "sgid": 0o2711, "tmp": 0o1777} {
				fi, err := os.Lstat(filepath.Join(target, rel))
				if err != nil {
					t.Fatal(err)
				}
				want := m
				if !keep {
					want &= 0o777
				}
				if got := uint32(fi.Sys().(*syscall.Stat_t).Mode) & 0o7777; got != want {
					t.Errorf("%s: mode %o, want %o", rel, got, want)
				}
			}
		}
		if _, err := restore.Run(ctx, repo, s, restore.Options{Target: w.target}); err != nil {
			t.Fatal(err)
		}
		check(w.target, false)
		for _, rel := range []string{"suid", "tmp", "ln"} {
			fi, _ := os.Lstat(filepath.Join(w.target, rel))
			if uid := fi.Sys().(*syscall.Stat_t).Uid; int(uid) != os.Geteuid() {
				t.Errorf("%s: owner %d although SameOwner was not asked", rel, uid)
			}
		}
		kept := filepath.Join(w.target, "kept")
		if _, err := restore.Run(ctx, repo, s, restore.Options{Target: kept, KeepSpecialBits: true, SameOwner: os.Geteuid() == 0}); err != nil {
			t.Fatal(err)
		}
		check(kept, true)
		if os.Geteuid() == 0 {
			for _, rel := range []string{"suid", "tmp", "ln"} {
				fi, _ := os.Lstat(filepath.Join(kept, rel))
				if st := fi.Sys().(*syscall.Stat_t); st.Uid != 4242 || st.Gid != 4343 {
					t.Errorf("%s: owner %d:%d, want 4242:4343 with SameOwner", rel, st.Uid, st.Gid)
				}
			}
		}
		w.unchanged(t)
	})
}

// A chunk missing from the repository fails the restore before anything
// is written, naming the file.
func TestMissingChunkFailsBeforeWriting(t *testing.T) {
	hostileCase(t, func(t *testing.T, repo *repository.Repository, w *world) {
		missing := file("f", "").declare(5)
		missing.Content = []repository.ID{{1}} // no such chunk
		s := writeHostile(t, repo, file("a", "x"), missing)
		_, err := restore.Run(ctx, repo, s, restore.Options{Target: w.target})
		if err == nil || errors.Is(err, restore.ErrRefused) || !strings.HasPrefix(err.Error(), "f: chunk ") {
			t.Fatalf("want a failed restore naming f: %v", err)
		}
		if _, err := os.Lstat(w.target); !os.IsNotExist(err) {
			t.Fatal("the target was created")
		}
	})
}

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
