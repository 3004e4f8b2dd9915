package repos

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// Runs is what the server recorded of the jobs of one kind (save, verify,
// forget, prune, restore, sync) that ended in a repository, across
// restarts and server processes: records table "runs/NAME", one record
// per kind, and one per source repository of sync jobs (SyncRunKey).
type Runs struct {
	LastSuccess time.Time `json:"last_success,omitzero"`
	LastFailure time.Time `json:"last_failure,omitzero"`
	// LastError is the message of the last failure.
	LastError string `json:"last_error,omitempty"`
	// Source is the source repository of a sync job's runs (SyncRunKey).
	Source string `json:"source,omitempty"`
}

// SyncPrefix starts the runs key of the sync jobs from one source
// repository (SyncRunKey).
const SyncPrefix = "sync-"

// SyncRunKey is the key of the runs of sync jobs from source: a record
// name is short and plain, so the URL is hashed; the record holds it.
func SyncRunKey(source string) string {
	sum := sha256.Sum256([]byte(source))
	return SyncPrefix + hex.EncodeToString(sum[:8])
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
	return r.noteRun(ctx, kind, "", at, failure)
}

// NoteSyncRun records that a sync job from source ended at at:
// successfully when failure is nil (key SyncRunKey(source)).
func (r *Repo) NoteSyncRun(ctx context.Context, source string, at time.Time, failure error) error {
	return r.noteRun(ctx, SyncRunKey(source), source, at, failure)
}

func (r *Repo) noteRun(ctx context.Context, kind, source string, at time.Time, failure error) error {
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
	cur.Source = source
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
