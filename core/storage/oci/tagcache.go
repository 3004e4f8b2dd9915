package oci

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// tagCacheTTL bounds how long a tags listing is reused.
const tagCacheTTL = time.Second

// tagCache keeps the last full tags listing for a moment. On a registry
// every List, whatever its kind, reads the same tags list, and the engine
// lists several kinds in a row (keys, snapshots, lease objects when it
// opens; index segments and deletion intents once its session marker is
// written): reusing the listing saves those requests, which is what keeps a
// cold re-save within the request budget of the S3 backend.
//
// Staleness is bounded so the Backend contract holds where it matters:
//   - any write or removal through this backend drops the cache when it
//     completes, so a List after this client's own Save always sees it;
//     "completes" means the registry answered: a cancelled caller does not
//     abandon a manifest push or delete once sent (request.settle), since
//     the registry could apply it after the drop, under a listing taken
//     meanwhile;
//   - any "not found" answer drops it too: it means the listing named an
//     object another client has removed since (prune compacting the index);
//   - a listing is never older than tagCacheTTL, so another client's writes
//     appear within a second even to a client that only reads.
//
// The lock-free prune protocol only relies on the first rule: a writer
// lists deletion intents after writing its session marker, and prune lists
// session markers after writing its intent.
type tagCache struct {
	gen  atomic.Uint64 // bumped by every invalidation
	mu   sync.Mutex
	tags []string
	at   time.Time
	of   uint64 // the generation the listing was taken in
	ok   bool
}

func (c *tagCache) invalidate() { c.gen.Add(1) }

// get returns the cached tags if they are still valid.
func (c *tagCache) get() ([]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ok && c.of == c.gen.Load() && time.Since(c.at) < tagCacheTTL {
		return c.tags, true
	}
	return nil, false
}

// put stores a listing taken in generation gen, unless an invalidation
// happened while it was being read.
func (c *tagCache) put(tags []string, gen uint64, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen.Load() == gen {
		c.tags, c.at, c.of, c.ok = tags, at, gen, true
	}
}

// listTags calls fn for every tag of the repository, from the cache when it
// is valid, else from the registry (fetchTags).
func (b *Backend) listTags(ctx context.Context, fn func(tag string) error) error {
	tags, ok := b.tagCache.get()
	if !ok {
		gen, at := b.tagCache.gen.Load(), time.Now()
		tags = nil
		if err := b.fetchTags(ctx, func(t string) error { tags = append(tags, t); return nil }); err != nil {
			return err
		}
		b.tagCache.put(tags, gen, at)
	}
	for _, t := range tags {
		if err := fn(t); err != nil {
			return err
		}
	}
	return nil
}

// noteRequest drops the tags cache after a request that may have changed
// the repository, or that found the listing stale.
func (b *Backend) noteRequest(method string, err error) {
	if method != http.MethodGet && method != http.MethodHead {
		b.tagCache.invalidate()
		return
	}
	if statusOf(err) == http.StatusNotFound || isNameUnknown(err) {
		b.tagCache.invalidate()
	}
}
