package server

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// TestCLIThroughServer drives the real CLI through a real server the way a
// pipeline does with an append token: save, save again, checkpoint,
// restore, rollback; a read token restores and verifies but may not save;
// forget and prune with the append token are refused with one line naming
// the admin role.
func TestCLIThroughServer(t *testing.T) {
	srv, _, job := startApp(t, 0)
	dir := workDir(t)
	src := writeSrc(t, dir)

	job.ok("save", "--name", "build", "src")
	var snap struct {
		ID    string
		Stats struct {
			FilesUnchanged int64 `json:"files_unchanged"`
		}
	}
	if err := json.Unmarshal([]byte(job.ok("--json", "save", "--name", "build", "src")), &snap); err != nil {
		t.Fatal(err)
	}
	if snap.Stats.FilesUnchanged != 2 {
		t.Errorf("the second save read unchanged files again: %+v", snap.Stats)
	}
	job.ok("checkpoint", "--name", "production", "src")
	target := filepath.Join(dir, "restored")
	job.ok("restore", "--target", target, "latest")
	if d := testrepo.Equal(t, src, filepath.Join(target, "src")); d != "" {
		t.Fatalf("restore through the server differs: %s", d)
	}
	// The deploy changes the files; the rollback puts them back.
	testrepo.WriteFile(t, src, "a.txt", []byte("version 2, broken"))
	os.Remove(filepath.Join(src, "big.bin"))
	job.ok("rollback", "--name", "production", "--target", dir)
	if got, _ := os.ReadFile(filepath.Join(src, "a.txt")); string(got) != "version 1" {
		t.Fatalf("rollback with an append token: a.txt is %q", got)
	}
	if _, err := os.Stat(filepath.Join(src, "big.bin")); err != nil {
		t.Fatalf("rollback did not bring big.bin back: %v", err)
	}

	job.refused("admin", "forget", "--keep-last", "1")
	job.refused("admin", "prune")

	reader := newClient(t, srv, "app", srv.Token("app", "read"))
	reader.ok("snapshots")
	reader.ok("verify", "--read-data")
	reader.ok("restore", "--target", filepath.Join(dir, "by-reader"), "latest")
	reader.refused("append", "save", "--name", "build", "src")

	// Without a token: one line, exit 14, and the command line says where
	// the token goes.
	code, _, errOut := newClient(t, srv, "app", "").run("snapshots")
	if code != 14 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "(set SAVEPOINT_TOKEN or --token-file") {
		t.Errorf("snapshots without a token: exit %d, %q", code, errOut)
	}

	var list []json.RawMessage
	json.Unmarshal([]byte(job.ok("--json", "snapshots")), &list)
	if len(list) != 3 {
		t.Fatalf("%d snapshots after the refused requests, want 3", len(list))
	}
}

// TestServerSideMaintenance: for a repository whose password the admin
// gave the server, forget and prune with an admin token run on the server;
// the client needs no password. Without one, an admin client runs them
// across the network as on any storage.
func TestServerSideMaintenance(t *testing.T) {
	srv := startWithPassword(t, "app")
	admin := srv.Token("*", "admin")
	initRepo(t, srv, "app", admin)
	initRepo(t, srv, "other", admin)
	dir := workDir(t)
	for _, name := range []string{"app", "other"} {
		job := newClient(t, srv, name, srv.Token(name, "append"))
		for i := 0; i < 3; i++ {
			testrepo.WriteFile(t, dir, "src/f.bin", testrepo.Random(200<<10))
			job.ok("save", "--name", "build", "src")
		}
	}

	// app: on the server, with no password on the client.
	ops := newClient(t, srv, "app", admin)
	ops.env = []string{"SAVEPOINT_PASSWORD="}
	out := ops.ok("forget", "--keep-last", "1")
	if !strings.Contains(out, "forget ran on the server") || !strings.Contains(out, "removed 2 of 3") {
		t.Errorf("forget on the server:\n%s", out)
	}
	out = ops.ok("prune", "--grace", "1s", "--max-unused", "0%")
	if !strings.Contains(out, "prune ran on the server") || !strings.Contains(out, "1 snapshot(s)") {
		t.Errorf("prune on the server:\n%s", out)
	}
	if !strings.Contains(srv.Logs(), `"msg":"prune finished"`) {
		t.Error("the server log does not show the prune")
	}
	var res struct {
		Removed int `json:"removed"`
	}
	json.Unmarshal([]byte(ops.ok("--json", "forget", "--keep-last", "1")), &res)
	if res.Removed != 0 {
		t.Errorf("forget --json on the server: %+v", res)
	}
	newClient(t, srv, "app", srv.Token("app", "read")).ok("verify", "--read-data")

	// other: no password on the server; the admin client prunes across the network.
	far := newClient(t, srv, "other", admin)
	out = far.ok("forget", "--keep-last", "1")
	if strings.Contains(out, "ran on the server") || !strings.Contains(out, "removed 2 of 3") {
		t.Errorf("forget across the network:\n%s", out)
	}
	out = far.ok("prune", "--grace", "1s", "--max-unused", "0%")
	if strings.Contains(out, "ran on the server") || !strings.Contains(out, "1 snapshot(s)") {
		t.Errorf("prune across the network:\n%s", out)
	}
	far.ok("verify", "--read-data")
	// An admin client without the password gets the usual error there.
	far.env = []string{"SAVEPOINT_PASSWORD="}
	if code, _, _ := far.run("prune"); code == 0 {
		t.Error("prune without any password succeeded")
	}
}

// TestQuotaThroughCLI: a save that would pass the repository's quota ends
// with exit status 15 and one line saying so; the snapshots stored before
// stay restorable.
func TestQuotaThroughCLI(t *testing.T) {
	_, _, job := startApp(t, 0, "--quota", "2MiB")
	dir := workDir(t)
	testrepo.WriteFile(t, dir, "small/a.bin", testrepo.Random(500<<10))
	job.ok("save", "--name", "small", "small")
	testrepo.WriteFile(t, dir, "big/b.bin", testrepo.Random(3<<20))
	code, _, errOut := job.run("save", "--name", "big", "big")
	if code != 15 || !strings.Contains(errOut, "quota") || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Fatalf("a save over the quota: exit %d, %q; want exit 15 and one line", code, errOut)
	}
	job.ok("restore", "--target", filepath.Join(dir, "out"), "small:latest")
	if d := testrepo.Equal(t, filepath.Join(dir, "small"), filepath.Join(dir, "out", "small")); d != "" {
		t.Fatalf("the snapshot saved before the quota was reached: %s", d)
	}
}
