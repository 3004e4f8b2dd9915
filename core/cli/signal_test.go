package cli_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/cli"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// TestSIGTERMDuringSave: the real binary, stopped by SIGTERM half-way
// through a save (data already stored, the snapshot not yet committed),
// exits 130 with one line, commits nothing and leaves no session marker;
// the next save works.
func TestSIGTERMDuringSave(t *testing.T) {
	r := newKillRig(t)
	testrepo.WriteFile(t, r.src, "f.bin", testrepo.Random(2<<20))
	ready := filepath.Join(t.TempDir(), "ready")
	// The command source streams 3 MiB into the repository, says so, then
	// waits: the signal comes while the save is under way.
	c := r.cmd("save", "--name", "sig", "--command", "db=head -c 3000000 /dev/urandom; touch "+ready+"; sleep 60", r.src)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(ready); err == nil {
			break
		}
		if time.Now().After(deadline) {
			c.Process.Kill()
			t.Fatalf("the command source never ran: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.Process.Signal(syscall.SIGTERM)
	err := c.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != cli.ExitInterrupted {
		t.Fatalf("exit %v, want %d; stderr %q", err, cli.ExitInterrupted, stderr.String())
	}
	if got := strings.TrimSpace(stderr.String()); got != "savepoint: interrupted" {
		t.Errorf("stderr %q, want one line saying interrupted", got)
	}
	repo := testrepo.Reopen(t, r.be)
	if list, err := snapshot.List(t.Context(), repo); err != nil || len(list) != 0 {
		t.Fatalf("after SIGTERM: snapshots %v, %v; want none", list, err)
	}
	var markers int
	r.be.List(t.Context(), storage.KindSession, func(storage.Info) error { markers++; return nil })
	if markers != 0 {
		t.Errorf("%d session marker(s) left behind", markers)
	}
	r.verifyClean("after SIGTERM")
	r.run("save", "--name", "sig", r.src)
}
