package server

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// TestKillServerDuringSave kills the server with SIGKILL while a save
// uploads packs through it. The save fails; after a restart the
// repository verifies clean with every pack read, and the next save and
// a restore work.
func TestKillServerDuringSave(t *testing.T) {
	srv, _, job := startApp(t, 0)
	dir := workDir(t)
	for i := 0; i < 60; i++ {
		testrepo.WriteFile(t, dir, fmt.Sprintf("src/f%02d.bin", i), testrepo.Random(1<<20))
	}
	save := job.command("save", "--name", "build", "src")
	var out bytes.Buffer
	save.Stdout, save.Stderr = &out, &out
	if err := save.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 600 && strings.Count(srv.Logs(), `"method":"PUT","path":"/app/data/`) < 5; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if strings.Count(srv.Logs(), `"method":"PUT","path":"/app/data/`) < 5 {
		t.Fatalf("the save never uploaded packs:\n%s\n%s", out.String(), srv.Logs())
	}
	srv.Kill()
	if err := save.Wait(); err == nil {
		t.Fatalf("the save succeeded with its server killed:\n%s", out.String())
	}
	t.Logf("the save after the kill: %s", strings.TrimSpace(out.String()))

	srv.Restart()
	reader := newClient(t, srv, "app", srv.Token("app", "read"))
	if code, o, e := reader.run("verify", "--read-data"); code != 0 {
		t.Fatalf("verify --read-data after the kill: exit %d\n%s%s", code, o, e)
	}
	job.ok("save", "--name", "build", "src")
	target := filepath.Join(t.TempDir(), "restored")
	reader.ok("restore", "--target", target, "latest")
	if d := testrepo.Equal(t, filepath.Join(dir, "src"), filepath.Join(target, "src")); d != "" {
		t.Fatalf("restore after the kill differs: %s", d)
	}
}
