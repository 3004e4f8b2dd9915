// Package repair mends a damaged repository: Index rebuilds the index from
// the pack headers (index segments deleted or unreadable, packs gone), and
// Snapshots rewrites snapshots that use missing data, leaving out only the
// files whose data is gone and naming them. Both hold the prune lease while
// they write, so no prune runs beside them (docs/cli.md, "repair").
package repair

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// ErrIncomplete is returned (wrapped) with a result when the repair was
// done but something could not be mended: a pack whose header is
// unreadable, a snapshot whose root tree is missing.
var ErrIncomplete = errors.New("repair incomplete")

// Options configure both repairs.
type Options struct {
	// DryRun reads and reports, and writes nothing (nor the lease).
	DryRun bool
	// BreakLease takes the prune lease even when another process holds it
	// (a prune that holds it stops at its next step).
	BreakLease bool
	Host       string           // recorded in the lease (empty: the host name)
	Now        func() time.Time // nil: time.Now
}

func (o *Options) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

// run is a repair under way: it holds the prune lease (unless a dry run)
// and measures the time and storage requests the repair takes.
type run struct {
	repo    *repository.Repository
	start   time.Time
	before  storage.Requests
	release func()
}

// begin starts a repair: it takes the prune lease for a repair that
// writes; release gives it back.
func begin(ctx context.Context, repo *repository.Repository, o Options) (*run, error) {
	r := &run{repo: repo, start: time.Now(), before: repo.Requests(), release: func() {}}
	if o.DryRun {
		return r, nil
	}
	l, err := prune.TakeLease(ctx, repo, prune.Options{BreakLease: o.BreakLease, Host: o.Host, Now: o.Now})
	if err != nil {
		return nil, err
	}
	r.release = l.Release
	return r, nil
}

// cost is the time in seconds since begin and the storage requests made
// since, for the result.
func (r *run) cost() (float64, storage.Requests) {
	return time.Since(r.start).Seconds(), r.repo.Requests().Sub(r.before)
}

// Pack is a pack listed in storage.
type Pack struct {
	Kind    storage.Kind // storage.KindData or storage.KindMeta
	Size    int64
	ModTime time.Time // as the backend recorded it
}

// ListPacks lists the data and meta packs in storage, by name.
func ListPacks(ctx context.Context, be storage.Backend) (map[repository.ID]Pack, error) {
	packs := map[repository.ID]Pack{}
	for _, k := range []storage.Kind{storage.KindData, storage.KindMeta} {
		err := be.List(ctx, k, func(fi storage.Info) error {
			if id, err := repository.ParseID(fi.Name); err == nil {
				packs[id] = Pack{Kind: k, Size: fi.Size, ModTime: fi.ModTime}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("listing %s packs: %w", k, err)
		}
	}
	return packs, nil
}
