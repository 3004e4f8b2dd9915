package s3_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// TestSaveRestoreUnderFaults saves a series of trees through a proxy that
// fails 30% of the requests, with a retry budget small enough that some
// saves give up. Every save must succeed or fail with one clear line; the
// repository must then hold only whole snapshots, each restoring
// byte-identical to the tree it was taken from.
func TestSaveRestoreUnderFaults(t *testing.T) {
	srv := minio(t)
	o := srv.options()
	clean := open(t, o)
	if _, err := testrepo.Init(t, clean); err != nil {
		t.Fatal(err)
	}
	p := newFaultProxy(t, srv.endpoint, 300)
	defer p.report(t)
	fo := o
	fo.Endpoint = p.srv.Listener.Addr().String()
	fo.IdleTimeout = time.Second
	fo.MaxRetries = 3
	faulty := newBackend(t, fo)

	shared := testrepo.Random(700 << 10)
	trees := map[string]string{} // snapshot name -> directory holding src/
	ok, failed := 0, 0
	for i := 0; i < 8; i++ {
		dir := t.TempDir()
		testrepo.WriteFile(t, dir, "src/shared.bin", shared)
		testrepo.WriteFile(t, dir, fmt.Sprintf("src/new-%d.bin", i), testrepo.Random(400<<10))
		testrepo.WriteFile(t, dir, "src/sub/note.txt", []byte(fmt.Sprintf("attempt %d", i)))
		name := fmt.Sprintf("attempt-%d", i)
		trees[name] = dir

		// Opening can fail under faults too; that is a clear error as well.
		var err error
		repo, oerr := reopen(faulty)
		if oerr != nil {
			err = oerr
		} else {
			t.Chdir(dir)
			_, err = save.Run(t.Context(), repo, save.Options{Paths: []string{"src"}, Name: name, Hostname: "ci"})
			repo.Close()
		}
		if err == nil {
			ok++
			continue
		}
		failed++
		msg := err.Error()
		if strings.ContainsAny(msg, "\r\n") || !errors.Is(err, storage.ErrUnavailable) {
			t.Fatalf("save %d failed unclearly: %q", i, msg)
		}
		t.Logf("save %d failed: %s", i, msg)
	}
	t.Logf("saves: %d succeeded, %d gave up; requests through the proxy: %+v", ok, failed, faulty.Requests())
	// Else the test proves nothing: no save got through, or no fault hit.
	if ok == 0 {
		t.Fatal("no save succeeded under 30% faults")
	}
	if n := p.injected(); n == 0 {
		t.Fatal("the proxy injected no fault")
	}

	// A fresh reader sees only whole snapshots, each restoring exactly.
	repo := testrepo.Reopen(t, clean)
	defer repo.Close()
	snaps, err := snapshot.List(t.Context(), repo)
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) < ok {
		t.Fatalf("%d snapshots listed after %d successful saves", len(snaps), ok)
	}
	for _, s := range snaps {
		dir, known := trees[s.Name]
		if !known {
			t.Fatalf("unknown snapshot %q", s.Name)
		}
		target := t.TempDir()
		if _, err := restore.Run(t.Context(), repo, s, restore.Options{Target: target}); err != nil {
			t.Fatalf("restoring %s: %v", s.Name, err)
		}
		if d := testrepo.Equal(t, filepath.Join(dir, "src"), filepath.Join(target, "src")); d != "" {
			t.Fatalf("snapshot %s restores differently: %s", s.Name, d)
		}
	}
	t.Logf("%d snapshots restored byte-identical", len(snaps))
}

// reopen opens the test repository in be as a new process would, returning
// the error instead of failing the test.
func reopen(be storage.Backend) (*repository.Repository, error) {
	return repository.Open(context.Background(), be, repository.OpenOptions{Password: "test-password"})
}
