package server

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repair"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// TestRepairThroughServer: with the index lost, an append token (a CI
// job's) and a read token may run the repairs' dry runs, which only read (the snapshot repair's
// refuses while the index lacks packs),
// but the repairs themselves are refused with exit 14 and one line naming
// the admin role, and change nothing; an admin token repairs through the
// server, after which the reader restores and verifies.
func TestRepairThroughServer(t *testing.T) {
	srv, admin, job := startApp(t, 0)
	reader := newClient(t, srv, "app", srv.Token("app", "read"))
	dir := workDir(t)
	writeTexts(t, filepath.Join(dir, "src"), 0)
	job.ok("save", "--name", "build", "src")

	be := openRepo(t, srv, "app", admin)
	defer be.Close()
	ctx := context.Background()
	var segs []string
	be.List(ctx, storage.KindIndex, func(fi storage.Info) error { segs = append(segs, fi.Name); return nil })
	for _, s := range segs {
		if err := be.Remove(ctx, storage.Handle{Kind: storage.KindIndex, Name: s}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []*client{job, reader} {
		var res repair.IndexResult
		if err := json.Unmarshal([]byte(c.ok("--json", "repair", "index", "--dry-run")), &res); err != nil || res.PacksAdded == 0 {
			t.Fatalf("repair index --dry-run: %+v %v", res, err)
		}
		// Data is in packs the index lost: the snapshot repair refuses to
		// drop files that are there.
		if code, _, errOut := c.run("repair", "snapshots", "--dry-run"); code != 1 || !strings.Contains(errOut, "run 'savepoint repair index' first") {
			t.Fatalf("repair snapshots --dry-run before the index repair: exit %d, %q", code, errOut)
		}
		c.refused("admin", "repair", "index")
		c.refused("admin", "repair", "index", "--break-lease")
		c.refused("admin", "repair", "snapshots")
	}
	var after []string
	be.List(ctx, storage.KindIndex, func(fi storage.Info) error { after = append(after, fi.Name); return nil })
	if len(after) != 0 {
		t.Fatalf("the refused repairs wrote index segments %v", after)
	}
	newClient(t, srv, "app", admin).ok("repair", "index")
	reader.ok("restore", "--target", filepath.Join(dir, "out"), "build:latest")
	if d := testrepo.Equal(t, filepath.Join(dir, "src"), filepath.Join(dir, "out", "src")); d != "" {
		t.Fatal(d)
	}
	reader.ok("verify", "--read-data")
}
