package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage/local"
	"github.com/savepoint-ci/savepoint/core/verify"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// killRig runs the real binary against a local repository.
type killRig struct {
	t    *testing.T
	bin  string
	repo string
	src  string
	be   *local.Backend
}

func newKillRig(t *testing.T) *killRig {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "savepoint")
	build := exec.Command("go", "build", "-o", bin, "github.com/savepoint-ci/savepoint")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	r := &killRig{t: t, bin: bin, repo: filepath.Join(dir, "repo"), src: filepath.Join(dir, "src")}
	be, err := local.New(r.repo)
	if err != nil {
		t.Fatal(err)
	}
	r.be = be
	// Init in-process: cheap KDF parameters and small chunks and packs.
	if _, err := testrepo.Init(t, be); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *killRig) cmd(args ...string) *exec.Cmd {
	c := exec.Command(r.bin, args...)
	c.Env = append(os.Environ(), "SAVEPOINT_PASSWORD=test-password", "SAVEPOINT_REPOSITORY="+r.repo, "SAVEPOINT_QUIET=1")
	return c
}

func (r *killRig) run(args ...string) string {
	r.t.Helper()
	out, err := r.cmd(args...).CombinedOutput()
	if err != nil {
		r.t.Fatalf("savepoint %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// killAfter starts the command and kills it with SIGKILL after d (if it
// is still running). It reports whether the kill happened first.
func (r *killRig) killAfter(d time.Duration, args ...string) bool {
	c := r.cmd(args...)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if err := c.Start(); err != nil {
		r.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			r.t.Fatalf("savepoint %v failed before the kill: %v\n%s", args, err, out.String())
		}
		return false
	case <-time.After(d):
		c.Process.Signal(syscall.SIGKILL)
		<-done
		return true
	}
}

func (r *killRig) verifyClean(when string) {
	r.t.Helper()
	res, err := verify.Run(context.Background(), testrepo.Reopen(r.t, r.be), verify.Options{NoRecord: true})
	if err != nil {
		r.t.Fatalf("%s: verify: %v", when, err)
	}
	for _, p := range res.Problems {
		r.t.Errorf("%s: verify: %s", when, p)
	}
	if !res.OK() {
		r.t.FailNow()
	}
}

// mutate changes a few files of the source tree.
func (r *killRig) mutate(i int) {
	for f := 0; f < 6; f++ {
		if f == 0 || rand.IntN(3) == 0 {
			testrepo.WriteFile(r.t, r.src, fmt.Sprintf("d%d/f%d.bin", f%3, f), testrepo.Random(150<<10+rand.IntN(300<<10)))
		}
	}
	testrepo.WriteFile(r.t, r.src, "iteration", []byte(fmt.Sprint(i)))
}

func TestKillDuringSaveAndPrune(t *testing.T) {
	r := newKillRig(t)
	r.mutate(0)
	r.run("save", "--name", "k", r.src)
	// Kill points spread over a whole run and a bit beyond. The trials'
	// saves change a few files, so the window is what such a save takes
	// (the first, full save takes longer): the median of three, as one
	// may be slowed down by a busy machine.
	var took []time.Duration
	for i := range 3 {
		r.mutate(-1 - i)
		start := time.Now()
		r.run("save", "--name", "k", r.src)
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	saveTime := took[1]
	kills := 0
	// Saves killed at random points.
	for i := 1; i <= 15; i++ {
		r.mutate(i)
		if r.killAfter(time.Duration(rand.Int64N(int64(saveTime)*5/4)), "save", "--name", "k", r.src) {
			kills++
		}
		r.verifyClean(fmt.Sprintf("save trial %d", i))
		if i%5 == 0 {
			r.run("save", "--name", "k", r.src)
		}
	}
	// Prunes killed at random points, with forgotten snapshots to remove.
	// The window is what a trial's prune takes (the median of three; the
	// first prune, which removes what the save trials left, takes longer).
	r.run("forget", "--keep-last", "2")
	testrepo.Age(t, r.repo, 2*time.Hour)
	r.run("prune", "--grace", "1h", "--clock-skew", "0s")
	took = took[:0]
	for i := range 3 {
		r.mutate(50 + i)
		r.run("save", "--name", "k", r.src)
		r.run("forget", "--keep-last", "2")
		testrepo.Age(t, r.repo, 2*time.Hour)
		start := time.Now()
		r.run("prune", "--grace", "1h", "--clock-skew", "0s")
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	pruneTime := took[1]
	t.Logf("save %v, prune %v", saveTime, pruneTime)
	for i := 1; i <= 15; i++ {
		r.mutate(100 + i)
		r.run("save", "--name", "k", r.src)
		r.run("forget", "--keep-last", "2")
		testrepo.Age(t, r.repo, 2*time.Hour)
		if r.killAfter(time.Duration(rand.Int64N(int64(pruneTime)*5/4)), "prune", "--grace", "1h", "--clock-skew", "0s", "--break-lease") {
			kills++
		}
		r.verifyClean(fmt.Sprintf("prune trial %d", i))
	}
	// Finally a save and a prune run to completion; the data restores.
	r.mutate(1000)
	r.run("save", "--name", "k", r.src)
	testrepo.Age(t, r.repo, 2*time.Hour)
	r.run("prune", "--grace", "1h", "--clock-skew", "0s", "--break-lease")
	r.run("verify", "--read-data")
	repo := testrepo.Reopen(t, r.be)
	list, err := snapshot.List(t.Context(), repo)
	if err != nil {
		t.Fatal(err)
	}
	target := t.TempDir()
	if _, err := restore.Run(t.Context(), repo, list[len(list)-1], restore.Options{Target: target}); err != nil {
		t.Fatal(err)
	}
	stored := filepath.Join(target, filepath.FromSlash(list[len(list)-1].Paths[0]))
	if d := testrepo.Equal(t, r.src, stored); d != "" {
		t.Fatal(d)
	}
	t.Logf("%d of 30 runs killed", kills)
	// Kill points fall in the first 125% of a run: about 80% of the runs
	// are killed (25 in a typical run). Far fewer means the test stopped
	// exercising crashes, whatever else passed.
	if kills < minKills {
		t.Fatalf("only %d of 30 runs were killed, want at least %d", kills, minKills)
	}
}

// minKills is the floor of killed runs in TestKillDuringSaveAndPrune.
const minKills = 10
