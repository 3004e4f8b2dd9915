package repos

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/savepoint-ci/savepoint/core/retention"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// usage is a repository's stored bytes as this process knows them.
type usage struct {
	mu      sync.Mutex
	bytes   int64     // stored, as last listed plus writes since
	pending int64     // reserved by writes in flight
	at      time.Time // when bytes was listed; zero: never
}

// Reserve books n bytes against the quota before a write by an append
// token; it fails with storage.ErrQuota when the repository would exceed
// it. Call done with whether the write created the object. Without a
// quota it books nothing.
func (r *Repo) Reserve(ctx context.Context, n int64) (done func(created bool), err error) {
	q := r.hub.o.Quota
	if q <= 0 {
		return func(bool) {}, nil
	}
	u := &r.usage
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.at.IsZero() || r.hub.o.Now().Sub(u.at) > r.hub.o.QuotaRefresh {
		st, err := r.list(ctx) // a repository not created yet holds nothing
		if err != nil {
			return nil, err
		}
		u.bytes, u.at = st.StoredBytes, r.hub.o.Now()
	}
	if u.bytes+u.pending+n > q {
		return nil, fmt.Errorf("repository %s holds %s of its %s quota; %s more do not fit: %w",
			r.Name, retention.FormatSize(u.bytes+u.pending), retention.FormatSize(q), retention.FormatSize(n), storage.ErrQuota)
	}
	u.pending += n
	return func(created bool) {
		u.mu.Lock()
		u.pending -= n
		if created {
			u.bytes += n
		}
		u.mu.Unlock()
	}, nil
}

// Changed marks the usage figure stale (after removals, a prune), and
// the figures of Stats.
func (r *Repo) Changed() {
	r.Touched()
	r.usage.mu.Lock()
	r.usage.at = time.Time{}
	r.usage.mu.Unlock()
}
