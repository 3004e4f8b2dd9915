package copytest

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/testrepo"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// TestDocSharedKey runs the example of docs/copy.md's "Sharing one master
// key" with local directories: the mirror, made with the source's key
// under a password of its own, receives the source's units as stored,
// verifies, and restores identical.
func TestDocSharedKey(t *testing.T) {
	bin := testserver.Binary(t)
	work := t.TempDir()
	app, mirror := filepath.Join(work, "app"), filepath.Join(work, "mirror")
	testrepo.WriteFile(t, work, "dist/big.bin", testrepo.Random(2<<20))
	testrepo.WriteFile(t, work, "dist/notes.txt", []byte(strings.Repeat("a release note\n", 2000)))
	bash(t, bin, work, "savepoint --repo "+app+" init && savepoint --repo "+app+" save --name dist dist", "SAVEPOINT_PASSWORD=app-password")

	block := docBlocks(t, "Sharing one master key", "sh")
	if len(block) != 1 {
		t.Fatalf("%d blocks, want one", len(block))
	}
	out := bash(t, bin, work, strings.NewReplacer("/backup/app", app, "/backup/mirror", mirror).Replace(block[0]))
	if !strings.Contains(out, "sharing the master key") || !strings.Contains(out, "moved as stored, 0 decoded") {
		t.Fatalf("the example's output:\n%s", out)
	}
	// The mirror opens with its own password only.
	bash(t, bin, work, "! savepoint --repo "+mirror+" snapshots", "SAVEPOINT_PASSWORD=app-password")
	bash(t, bin, work, "savepoint --repo "+mirror+" restore --target restored dist:latest", "SAVEPOINT_PASSWORD=mirror-password")
	if d := testrepo.Equal(t, filepath.Join(work, "dist"), filepath.Join(work, "restored", "dist")); d != "" {
		t.Fatal(d)
	}
}
