package server

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repair"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/remote"
	"github.com/savepoint-ci/savepoint/internal/benchdata"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// TestRepairThroughServer: with the index lost, an append token (a CI
// job's) and a read token may run the repairs' dry runs, which only read (the snapshot repair's
// refuses while the index lacks packs),
// but the repairs themselves are refused with exit 14 and one line naming
// the admin role, and change nothing; an admin token repairs through the
// server, after which the reader restores and verifies.
func TestRepairThroughServer(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	admin := srv.Token("app", "admin")
	initRepo(t, srv, "app", admin)
	job := newClient(t, srv, "app", srv.Token("app", "append"))
	reader := newClient(t, srv, "app", srv.Token("app", "read"))
	dir := t.TempDir()
	t.Chdir(dir)
	for i := 0; i < 20; i++ {
		testrepo.WriteFile(t, dir, filepath.Join("src", string(rune('a'+i))+".txt"), benchdata.Text(uint64(i), 3000))
	}
	job.ok("save", "--name", "build", "src")

	be, err := remote.New(remote.Options{URL: srv.Repo("app"), Token: admin})
	if err != nil {
		t.Fatal(err)
	}
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
