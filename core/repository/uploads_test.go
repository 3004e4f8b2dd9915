package repository_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/mem"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// slowBackend is a mem backend whose data pack Saves take 100 ms, as an
// upload's round trip would; it records how many ran at once at most.
type slowBackend struct {
	*mem.Backend
	networked bool
	mu        sync.Mutex
	in, most  int
}

func (b *slowBackend) Networked() bool { return b.networked }

func (b *slowBackend) Save(ctx context.Context, h storage.Handle, data []byte) error {
	if h.Kind == storage.KindData {
		b.mu.Lock()
		b.in++
		b.most = max(b.most, b.in)
		b.mu.Unlock()
		time.Sleep(100 * time.Millisecond)
		b.mu.Lock()
		b.in--
		b.mu.Unlock()
	}
	return b.Backend.Save(ctx, h, data)
}

// TestUploadsInFlight: over a network a session keeps two data pack
// uploads in flight while the next pack fills; on a local disk one, so
// that its memory stays at two pack buffers.
func TestUploadsInFlight(t *testing.T) {
	for _, tc := range []struct {
		networked bool
		want      int
	}{{false, 1}, {true, 2}} {
		be := &slowBackend{Backend: mem.New(), networked: tc.networked}
		repo, err := testrepo.Init(t, be)
		if err != nil {
			t.Fatal(err)
		}
		for range 100 { // six 1 MiB packs of incompressible blobs
			data := testrepo.Random(64 << 10)
			if _, err := repo.SaveBlob(ctx, repository.DataBlob, repo.Hash(data), data); err != nil {
				t.Fatal(err)
			}
		}
		be.mu.Lock()
		most := be.most // before Flush, which sends the last pack beside the others
		be.mu.Unlock()
		if most != tc.want {
			t.Errorf("networked %v: %d data pack uploads at once at most, want %d", tc.networked, most, tc.want)
		}
		if _, err := repo.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
}
