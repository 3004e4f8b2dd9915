package server

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/testenv"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// TestTwoServersOneBucket runs two server processes over one MinIO bucket
// serving the same repository to concurrent clients, each client going
// through both servers in turn. Tokens created once work on both (they
// live in the bucket); every snapshot restores byte-identical to the tree
// it was saved from.
func TestTwoServersOneBucket(t *testing.T) {
	m := testenv.RequireMinIO(t)
	env := []string{"AWS_ACCESS_KEY_ID=" + m.AccessKey, "AWS_SECRET_ACCESS_KEY=" + m.SecretKey,
		"SAVEPOINT_S3_ENDPOINT=http://" + m.Endpoint, "AWS_REGION=us-east-1"}
	storage := "s3://" + testenv.Unique("sp-two-servers-") + "/ci"
	a := testserver.Start(t, testserver.Options{Storage: storage, Env: env})
	b := testserver.Start(t, testserver.Options{Storage: storage, Env: env})
	admin := a.Token("shared", "admin")
	initRepo(t, b, "shared", admin) // creates the bucket through server b
	servers := []*testserver.Server{a, b}

	const clients, saves = 4, 3
	type saved struct{ id, dir string }
	var mu sync.Mutex
	var all []saved
	var wg sync.WaitGroup
	errs := make(chan error, clients*saves)
	work := t.TempDir()
	for c := 0; c < clients; c++ {
		tok := servers[c%2].Token("shared", "append")
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for s := 0; s < saves; s++ {
				srv := servers[(c+s)%2]
				dir := filepath.Join(work, fmt.Sprintf("c%d-s%d", c, s))
				// (no t.Fatal in this goroutine)
				os.MkdirAll(filepath.Join(dir, "src"), 0o755)
				werr := os.WriteFile(filepath.Join(dir, "src", "common.txt"), []byte("shared by every save"), 0o644)
				if werr == nil {
					werr = os.WriteFile(filepath.Join(dir, "src", fmt.Sprintf("own-%d.bin", c)), testrepo.Random(300<<10+s), 0o644)
				}
				if werr != nil {
					errs <- werr
					continue
				}
				job := newClient(t, srv, "shared", tok)
				cmd := job.command("--json", "save", "--name", fmt.Sprintf("client-%d", c), "src")
				cmd.Dir = dir
				out, err := cmd.Output()
				if err != nil {
					errs <- fmt.Errorf("client %d save %d through %s: %v", c, s, srv.URL, err)
					continue
				}
				var snap struct{ ID string }
				if err := json.Unmarshal(out, &snap); err != nil {
					errs <- err
					continue
				}
				mu.Lock()
				all = append(all, saved{snap.ID, dir})
				mu.Unlock()
			}
		}(c)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(all) != clients*saves {
		t.Fatalf("%d snapshots saved, want %d", len(all), clients*saves)
	}
	for i, s := range all {
		reader := newClient(t, servers[i%2], "shared", servers[(i+1)%2].Token("shared", "read"))
		target := filepath.Join(work, "restore", s.id)
		reader.ok("restore", "--target", target, s.id)
		if d := testrepo.Equal(t, filepath.Join(s.dir, "src"), filepath.Join(target, "src")); d != "" {
			t.Errorf("snapshot %s restores differently from what was saved: %s", s.id[:8], d)
		}
	}
	newClient(t, a, "shared", admin).ok("verify", "--read-data")
}
