package server

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/savepoint-ci/savepoint/core/snapcopy"
	"github.com/savepoint-ci/savepoint/core/storage/local"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// TestCopyIntoServerWithAppendToken copies a local repository's snapshot
// into a server repository with an append token (copy never deletes), then
// from that repository, read with a read token, into another one: both
// copies verify and restore byte-identical through the server; a second
// copy skips; a read token cannot be copied into.
func TestCopyIntoServerWithAppendToken(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	initRepo(t, srv, "far", srv.Token("far", "admin"))
	initRepo(t, srv, "farther", srv.Token("farther", "admin"))
	dir := workDir(t)
	near := filepath.Join(dir, "near")
	be, err := local.New(near)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := testrepo.Init(t, be); err != nil {
		t.Fatal(err)
	}
	src := writeSrc(t, dir)
	ci := newClient(t, srv, "far", "")
	ci.env = []string{"SAVEPOINT_REPOSITORY=" + near}
	ci.ok("save", "--name", "build", "src")

	job := newClient(t, srv, "far", srv.Token("far", "append"))
	job.env = []string{"SAVEPOINT_FROM_REPOSITORY=" + near, "SAVEPOINT_FROM_PASSWORD=" + password}
	var st snapcopy.Stats
	if err := json.Unmarshal([]byte(job.ok("--json", "copy", "--all")), &st); err != nil {
		t.Fatal(err)
	}
	if st.Copied != 1 || st.BlobsNew == 0 {
		t.Fatalf("copy into the server: %+v", st)
	}
	if err := json.Unmarshal([]byte(job.ok("--json", "copy", "--name", "build")), &st); err != nil || st.Skipped != 1 || st.Copied != 0 {
		t.Fatalf("second copy: %v %+v", err, st)
	}
	job.ok("verify", "--read-data")
	target := filepath.Join(dir, "restored")
	job.ok("restore", "--target", target, "build:latest")
	if d := testrepo.Equal(t, src, filepath.Join(target, "src")); d != "" {
		t.Fatalf("restore of the copy differs: %s", d)
	}

	// A read token may not be copied into (nothing is written).
	reader := newClient(t, srv, "farther", srv.Token("farther", "read"))
	reader.env = job.env
	reader.refused("append", "copy", "--all")

	// Server to server: the source read with a read token of its own.
	hop := newClient(t, srv, "farther", srv.Token("farther", "append"))
	hop.env = []string{"SAVEPOINT_FROM_REPOSITORY=" + srv.Repo("far"), "SAVEPOINT_FROM_PASSWORD=" + password,
		"SAVEPOINT_FROM_TOKEN=" + srv.Token("far", "read")}
	if err := json.Unmarshal([]byte(hop.ok("--json", "copy", "--all")), &st); err != nil || st.Copied != 1 {
		t.Fatalf("server to server: %v %+v", err, st)
	}
	hop.ok("verify", "--read-data")
	target = filepath.Join(dir, "restored2")
	hop.ok("restore", "--target", target, "build:latest")
	if d := testrepo.Equal(t, src, filepath.Join(target, "src")); d != "" {
		t.Fatalf("restore of the copy of the copy differs: %s", d)
	}
}
