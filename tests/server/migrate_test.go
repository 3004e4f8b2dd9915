package server

import (
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/cli"
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
	ctx := context.Background()
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
