package restore_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/restore"
)

// With Windows' rules (on any system), names Windows cannot hold, names
// that clash once case is ignored and link targets that name a drive or a
// device are refused one by one; the rest is restored.
func TestWindowsNamesRefused(t *testing.T) {
	restore.UseWindowsNames(t)
	hostileCase(t, func(t *testing.T, repo *repository.Repository, w *world) {
		s := writeHostile(t, repo,
			file("CON", "pwned"),
			file("aux.txt", "pwned"),
			file("a:stream", "pwned"),
			file(`..\sentinel\secret`, "pwned"),
			file("trailing.", "pwned"),
			dir("Src", file("ok", "restored"), file("OK", "pwned")),
			dir("src", file("x", "pwned")),
			link("drive", `C:\Windows`),
			link("dev", "sub/NUL"),
			file("ok", "restored"),
		)
		_, err := restore.Run(ctx, repo, s, restore.Options{Target: w.target})
		got := refusedPaths(t, err)
		want := []string{`..\\sentinel\\secret`, "CON", "Src/ok", "a:stream", "aux.txt", "dev", "drive", "src", "trailing."}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("refused %q\nwant    %q", got, want)
		}
		w.unchanged(t)
		for _, rel := range []string{"ok", "Src/OK"} {
			if b, _ := os.ReadFile(filepath.Join(w.target, rel)); string(b) == "" {
				t.Errorf("%s was not restored", rel)
			}
		}
	})
}
