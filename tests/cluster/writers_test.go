package cluster

import (
	"bytes"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/storage/s3"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
	"github.com/savepoint-ci/savepoint/internal/testsnap"
)

// Bounds of TestConcurrentWritersAndPrune: how long the writers run, and
// prune's grace period, which must exceed the longest save (docs/prune.md).
const (
	writersFor = 35 * time.Second
	pruneGrace = 15 * time.Second
)

// committed is a snapshot a writer process committed and the files it
// must restore to.
type committed struct {
	id    string
	files map[string][]byte
}

// TestConcurrentWritersAndPrune runs eight writer processes of the real
// binary, two through each node, saving in a loop for a bounded time while
// forget and prune run again and again through the nodes in turn. Then
// `verify --read-data` finds nothing, every snapshot in the repository is
// one a writer committed, and each restores byte-identical.
func TestConcurrentWritersAndPrune(t *testing.T) {
	c := requireCluster(t)
	name, _ := c.repo(t)
	work := t.TempDir()
	w := &writers{shared: testrepo.Random(200 << 10), stop: make(chan struct{}), errs: make(chan error, 8)}
	for i := 0; i < 8; i++ {
		w.pool = append(w.pool, testrepo.Random(60<<10))
	}
	for i := 0; i < 8; i++ {
		w.wg.Add(1)
		go w.loop(c.client(t, c.endpoint(i%4+1), name), filepath.Join(work, fmt.Sprintf("w%d", i)), i)
	}
	defer w.halt()

	deleted, rounds := 0, 0
	prune := func() {
		cl := c.client(t, c.endpoint(rounds%4+1), name)
		cl.mustRun(work, "forget", "--keep-last", "2")
		var res struct {
			PacksDeleted int `json:"packs_deleted"`
		}
		out := cl.mustRun(work, "prune", "--json", "--grace", pruneGrace.String(), "--clock-skew", "1s", "--max-unused", "20%")
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("prune --json: %v: %q", err, out)
		}
		deleted += res.PacksDeleted
		rounds++
	}
	for deadline := time.Now().Add(writersFor); time.Now().Before(deadline); time.Sleep(time.Second) {
		select {
		case err := <-w.errs:
			t.Fatal(err)
		default:
		}
		prune()
	}
	w.halt()
	close(w.errs)
	for err := range w.errs {
		t.Fatal(err)
	}
	prune()
	if w.longest >= pruneGrace {
		t.Fatalf("a save took %s, longer than prune's grace period %s: the run broke the rule the repository relies on", w.longest, pruneGrace)
	}
	if deleted == 0 {
		t.Fatal("prune deleted nothing: the test did not exercise deletion")
	}
	cl := c.client(t, c.endpoint(2), name)
	if out := cl.mustRun(work, "verify", "--read-data"); !bytes.Contains([]byte(out), []byte("no problems found")) {
		t.Fatalf("verify --read-data:\n%s", out)
	}
	restoreAll(t, c.backend(t, 3, name), w.all)
	t.Logf("%d saves by 8 writer processes, longest %s; %d forget+prune rounds deleted %d packs",
		len(w.all), w.longest.Round(time.Millisecond), rounds, deleted)
}

// writers runs the writer processes' loops.
type writers struct {
	shared   []byte
	pool     [][]byte
	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
	errs     chan error
	mu       sync.Mutex
	all      map[string]committed
	longest  time.Duration
}

// halt stops the loops after their current save.
func (w *writers) halt() {
	w.stopOnce.Do(func() { close(w.stop) })
	w.wg.Wait()
}

// loop saves dir/src again and again, with a fresh file, a growing one,
// the shared one and some of the pool each time.
func (w *writers) loop(cl *client, dir string, n int) {
	defer w.wg.Done()
	var grow []byte
	for i := 0; ; i++ {
		select {
		case <-w.stop:
			return
		default:
		}
		grow = append(grow, testrepo.Random(20<<10)...)
		files := map[string][]byte{
			"shared.bin": w.shared,
			"fresh.bin":  testrepo.Random(70 << 10),
			"grow.bin":   bytes.Clone(grow),
			"const.txt":  []byte(fmt.Sprintf("writer %d", n)),
		}
		for k, b := range w.pool {
			if mrand.IntN(4) == 0 {
				files[fmt.Sprintf("pool%d.bin", k)] = b
			}
		}
		if err := writeTree(filepath.Join(dir, "src"), files); err != nil {
			w.errs <- err
			return
		}
		start := time.Now()
		r, err := cl.launch(dir, "save", "--json", "--name", fmt.Sprintf("w%d", n), "src")
		if err != nil {
			w.errs <- err
			return
		}
		if code := r.wait(); code != 0 {
			w.errs <- fmt.Errorf("writer %d, save %d: exit %d: %s", n, i, code, r.stderr.String())
			return
		}
		id, err := parseID(r.stdout.String())
		if err != nil {
			w.errs <- err
			return
		}
		w.mu.Lock()
		if w.all == nil {
			w.all = map[string]committed{}
		}
		w.all[id] = committed{id, files}
		w.longest = max(w.longest, time.Since(start))
		w.mu.Unlock()
	}
}

// writeTree replaces dir with files.
func writeTree(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// restoreAll checks that every snapshot in the repository is one of all
// and restores each byte-identical.
func restoreAll(t *testing.T, be *s3.Backend, all map[string]committed) {
	ctx := t.Context()
	repo, snaps := testsnap.List(t, be, "test-password")
	if len(snaps) < 16 {
		t.Fatalf("%d snapshots left, want the 2 newest of each of the 8 writers", len(snaps))
	}
	for _, s := range snaps {
		c, ok := all[s.ID.String()]
		if !ok {
			t.Fatalf("snapshot %s is not one a writer committed", s.ID.Short())
		}
		target := t.TempDir()
		if _, err := restore.Run(ctx, repo, s, restore.Options{Target: target}); err != nil {
			t.Fatalf("restore %s: %v", s.ID.Short(), err)
		}
		for name, want := range c.files {
			got, err := os.ReadFile(filepath.Join(target, "src", name))
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("snapshot %s: %s differs (%v)", s.ID.Short(), name, err)
			}
		}
		if n := countFiles(t, filepath.Join(target, "src")); n != len(c.files) {
			t.Fatalf("snapshot %s restores %d files, want %d", s.ID.Short(), n, len(c.files))
		}
	}
	t.Logf("%d snapshots restored byte-identical", len(snaps))
}

func countFiles(t *testing.T, dir string) int {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}
