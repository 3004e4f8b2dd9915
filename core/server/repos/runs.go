package repos

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// Runs is what the server recorded of the jobs of one kind (save, verify,
// forget, prune, restore) that ended in a repository, across restarts and
// server processes: records table "runs/NAME", one record per kind.
type Runs struct {
	LastSuccess time.Time `json:"last_success,omitzero"`
	LastFailure time.Time `json:"last_failure,omitzero"`
	// LastError is the message of the last failure.
	LastError string `json:"last_error,omitempty"`
}

// runsCache holds the records read, for Options.StatsRefresh.
type runsCache struct {
	mu   sync.Mutex
	m    map[string]Runs
	read time.Time
}

// NoteRun records that a job of kind ended at at: successfully when
// failure is nil. A cancelled job is neither.
func (r *Repo) NoteRun(ctx context.Context, kind string, at time.Time, failure error) error {
	t, err := r.tables.get(ctx, "runs/"+r.Name)
	if err != nil {
		return err
	}
	c := &r.runs
	c.mu.Lock()
	defer c.mu.Unlock()
	var cur Runs
	if err := t.Get(ctx, kind, &cur); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("reading the runs of %s in repository %s: %w", kind, r.Name, err)
	}
	if failure == nil {
		cur.LastSuccess = at.UTC()
	} else {
		cur.LastFailure, cur.LastError = at.UTC(), failure.Error()
	}
	if err := t.Put(ctx, kind, cur); err != nil {
		return fmt.Errorf("recording a run of %s in repository %s: %w", kind, r.Name, err)
	}
	c.read = time.Time{} // read again
	return nil
}

// Runs returns the recorded runs by kind, read at most every
// Options.StatsRefresh (a run noted through this process is seen at once).
func (r *Repo) Runs(ctx context.Context) (map[string]Runs, error) {
	c := &r.runs
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.read.IsZero() && r.hub.o.Now().Sub(c.read) < r.hub.o.StatsRefresh {
		return c.m, nil
	}
	t, err := r.tables.get(ctx, "runs/"+r.Name)
	if err != nil {
		return nil, err
	}
	m := map[string]Runs{}
	err = t.Keys(ctx, func(kind string, _ time.Time) error {
		var v Runs
		if err := t.Get(ctx, kind, &v); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		m[kind] = v
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the runs of repository %s: %w", r.Name, err)
	}
	c.m, c.read = m, r.hub.o.Now()
	return m, nil
}
