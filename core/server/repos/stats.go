package repos

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// Stats is what the server sees of a repository in a listing of its
// storage, with or without its password.
type Stats struct {
	// Exists: the repository's config object is stored.
	Exists bool
	// Snapshots is the number of snapshot objects.
	Snapshots int
	// StoredBytes is the sum of every object's size.
	StoredBytes int64
	// Objects counts the objects of every kind.
	Objects int
	// Kinds counts the objects and bytes of each kind.
	Kinds map[storage.Kind]KindStats
	// LastSave is the storage time of the newest snapshot object: when the
	// last save committed (zero: no snapshot).
	LastSave time.Time
	// LastWrite is the storage time of the newest object of any kind.
	LastWrite time.Time
	// Listed is when the listing was taken.
	Listed time.Time
}

// KindStats counts the objects of one kind.
type KindStats struct {
	Objects int64 `json:"objects"`
	Bytes   int64 `json:"bytes"`
}

// statsCache holds the last Stats and the write generation it saw.
type statsCache struct {
	mu   sync.Mutex
	st   Stats
	gen  int64
	ok   bool
	last Sample // the last sample this process recorded
}

// Touched notes that an object of the repository was written or removed
// through this process: the next Stats lists the storage afresh.
func (r *Repo) Touched() { r.gen.Add(1) }

// Stats returns the repository's figures. It lists the storage when the
// figures it has are older than Options.StatsRefresh or an object was
// written or removed through this process since (Touched), and then
// records a sample of the history (History).
func (r *Repo) Stats(ctx context.Context) (Stats, error) {
	c := &r.stats
	c.mu.Lock()
	defer c.mu.Unlock()
	gen := r.gen.Load()
	if c.ok && c.gen == gen && r.hub.o.Now().Sub(c.st.Listed) < r.hub.o.StatsRefresh {
		return c.st, nil
	}
	st, err := r.list(ctx)
	if err != nil {
		return Stats{}, err
	}
	c.st, c.gen, c.ok = st, gen, true
	if st.Exists {
		r.sample(ctx, st)
	}
	return st, nil
}

// list takes the figures from one listing of every kind.
func (r *Repo) list(ctx context.Context) (Stats, error) {
	st := Stats{Listed: r.hub.o.Now(), Kinds: map[storage.Kind]KindStats{}}
	for _, k := range storage.Kinds {
		var ks KindStats
		err := r.be.List(ctx, k, func(fi storage.Info) error {
			ks.Objects++
			ks.Bytes += fi.Size
			st.Objects++
			st.StoredBytes += fi.Size
			if fi.ModTime.After(st.LastWrite) {
				st.LastWrite = fi.ModTime
			}
			switch k {
			case storage.KindConfig:
				st.Exists = true
			case storage.KindSnapshot:
				st.Snapshots++
				if fi.ModTime.After(st.LastSave) {
					st.LastSave = fi.ModTime
				}
			}
			return nil
		})
		if errors.Is(err, storage.ErrNoContainer) {
			return Stats{Listed: st.Listed}, nil // not created yet
		}
		if err != nil {
			return Stats{}, fmt.Errorf("listing repository %s: %w", r.Name, err)
		}
		st.Kinds[k] = ks
	}
	return st, nil
}
