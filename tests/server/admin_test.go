package server

import (
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/cli"
	"github.com/savepoint-ci/savepoint/core/repair"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// TestMigrateThroughServer: migrate rewrites the config, the one object
// ever replaced, so an append token (a CI job's) is refused with exit 14
// and one line naming the admin role, and the repository stays at version
// 1; a dry run only reads. An admin token migrates through the server;
// the job's next save writes version 2 packs, and both snapshots restore.
func TestMigrateThroughServer(t *testing.T) {
	srv, admin, job := startApp(t, 1)
	dir := workDir(t)
	writeTexts(t, filepath.Join(dir, "src", "v1"), 0)
	job.ok("save", "--name", "before", "src")

	version := func() (res cli.MigrateJSON) {
		t.Helper()
		if err := json.Unmarshal([]byte(job.ok("--json", "migrate", "--dry-run")), &res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	if v := version(); v.From != 1 || v.Changed || !v.DryRun {
		t.Fatalf("dry run with an append token: %+v", v)
	}
	job.refused("admin", "migrate")
	if v := version(); v.From != 1 {
		t.Fatalf("the refused migrate changed the config: %+v", v)
	}

	out := newClient(t, srv, "app", admin).ok("migrate")
	if !strings.Contains(out, "from format version 1 to 2") {
		t.Fatalf("migrate with an admin token: %q", out)
	}
	if v := version(); v.From != 2 {
		t.Fatalf("after the admin's migrate: %+v", v)
	}
	writeTexts(t, filepath.Join(dir, "src", "v2"), 100)
	job.ok("save", "--name", "after", "src")
	if trailers := packTrailers(t, srv, "app", admin); trailers["SPK1"] == 0 || trailers["SPK2"] == 0 {
		t.Fatalf("pack formats after the migrate: %v, want version 1 packs kept and version 2 ones added", trailers)
	}
	reader := newClient(t, srv, "app", srv.Token("app", "read"))
	reader.ok("verify", "--read-data")
	for _, name := range []string{"before", "after"} {
		target := filepath.Join(dir, "out-"+name)
		reader.ok("restore", "--target", target, name+":latest")
		want := filepath.Join(dir, "src")
		if name == "before" {
			want = filepath.Join(dir, "src", "v1")
			target = filepath.Join(target, "src", "v1")
		} else {
			target = filepath.Join(target, "src")
		}
		if d := testrepo.Equal(t, want, target); d != "" {
			t.Fatalf("restore of %s: %s", name, d)
		}
	}
}

// packTrailers counts the data packs of repository name by the magic
// their trailer ends in (SPK1, SPK2).
func packTrailers(t *testing.T, srv *testserver.Server, name, token string) map[string]int {
	t.Helper()
	be := openRepo(t, srv, name, token)
	defer be.Close()
	ctx := t.Context()
	out := map[string]int{}
	err := be.List(ctx, storage.KindData, func(fi storage.Info) error {
		rd, err := be.Load(ctx, storage.Handle{Kind: storage.KindData, Name: fi.Name}, fi.Size-4, 4)
		if err != nil {
			return err
		}
		defer rd.Close()
		magic, err := io.ReadAll(rd)
		out[string(magic)]++
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

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
	ctx := t.Context()
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
