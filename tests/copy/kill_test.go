package copytest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// TestCopyKilledAndRerun kills a copy (SIGKILL) once three of its commits
// have landed (about a third of the way), runs it again, and checks that the rerun sends no more than
// what had not landed (packs uploaded after the last commit are indexed,
// not sent again), the repository verifies with every pack read, and the
// copy restores byte-identical.
func TestCopyKilledAndRerun(t *testing.T) {
	r := newRig(t)
	dir := t.TempDir()
	a, b, fresh := site{filepath.Join(dir, "a"), "password-a"}, site{filepath.Join(dir, "b"), "password-b"}, site{filepath.Join(dir, "c"), "password-c"}
	for _, s := range []site{a, b, fresh} {
		r.init(s)
	}
	work := t.TempDir()
	src := dataset(t, work, 12)
	r.save(a, work, "big")

	cmd := r.command(b, &a, "copy", "--all", "--commit-every", "1M")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	killed := false
	for !killed {
		select {
		case err := <-done:
			t.Fatalf("the copy ended before its third commit was seen (%v): %s", err, out.String())
		case <-time.After(2 * time.Millisecond):
		}
		if names, _ := os.ReadDir(filepath.Join(b.url, string(storage.KindIndex))); len(names) >= 3 {
			cmd.Process.Signal(syscall.SIGKILL)
			<-done
			killed = true
		}
	}
	landed, orphans := r.packBytes(b)
	if landed == 0 {
		t.Fatal("nothing indexed at the kill")
	}
	if out := r.ok(b, "verify"); !bytes.Contains([]byte(out), []byte("no problems found")) {
		t.Fatalf("after the kill: %s", out)
	}
	var list []snapshot.Summary
	if err := json.Unmarshal([]byte(r.ok(b, "--json", "snapshots")), &list); err != nil || len(list) != 0 {
		t.Fatalf("after the kill: %v %+v: want no snapshot", err, list)
	}

	rerun := r.copy(a, b, "--all", "--commit-every", "1M")
	whole := r.copy(a, fresh, "--all")
	t.Logf("killed with %d bytes of packs indexed and %d unindexed; the rerun adopted %d, stored %d bytes, a whole copy %d",
		landed, orphans, rerun.BytesAdopted, rerun.BytesStored, whole.BytesStored)
	if rerun.Copied != 1 {
		t.Fatalf("rerun: %+v", rerun)
	}
	// What was indexed is not sent again, nor what had landed unindexed
	// (the rerun indexes those packs); what had not landed (the packs
	// being filled or uploaded at the kill) may be.
	if rerun.BytesAdopted != orphans {
		t.Fatalf("the rerun adopted %d bytes of packs, want the %d left unindexed", rerun.BytesAdopted, orphans)
	}
	if slack := int64(3 << 20); rerun.BytesStored > whole.BytesStored-landed-orphans+slack {
		t.Fatalf("the rerun stored %d bytes: more than the %d a whole copy stores less the %d indexed and %d unindexed before the kill",
			rerun.BytesStored, whole.BytesStored, landed, orphans)
	}
	r.clean(b)
	r.restoresAs(b, "big:latest", src)
}

// packBytes sums the sizes of a site's packs that its index names, and
// of those it does not (left by a killed writer).
func (r *rig) packBytes(s site) (indexed, orphans int64) {
	r.t.Helper()
	repo := r.open(s, r.backend(s))
	defer repo.Close()
	if err := repo.LoadIndex(ctx); err != nil {
		r.t.Fatal(err)
	}
	named := map[string]bool{}
	repo.Index().Each(func(_ repository.ID, l repository.Location) { named[l.Pack.String()] = true })
	for _, k := range []storage.Kind{storage.KindData, storage.KindMeta} {
		err := repo.Backend().List(ctx, k, func(fi storage.Info) error {
			if named[fi.Name] {
				indexed += fi.Size
			} else {
				orphans += fi.Size
			}
			return nil
		})
		if err != nil {
			r.t.Fatal(err)
		}
	}
	return indexed, orphans
}
