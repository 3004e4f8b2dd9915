package repos

import (
	"context"
	"sync"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// A client that gives up on a Save (cancelled, timed out, connection lost)
// gets its error at once, while the server may still be storing the object:
// the request to the storage is under way and will land. Without more, the
// client's next request could see the object missing and the one after see
// it whole, or a Save of the same name could be overtaken by the one it
// gave up on. So the server orders requests about an object after its own
// writes of that object still in flight: a read or write of an object waits
// for them, a List of a kind waits for those of the kind. Then once a call
// returned, the client's next requests see its outcome, absent or whole, as
// with a local repository. The wait lasts as long as the storage takes to
// finish those writes (the backends bound each request by their timeouts).

// inflight tracks the writes (saves and removals) under way in a Repo.
type inflight struct {
	mu     sync.Mutex
	writes map[*write]struct{}
}

type write struct {
	h    storage.Handle
	done chan struct{}
}

// pending returns the done channels of the writes that match.
func (f *inflight) pending(match func(storage.Handle) bool) []chan struct{} {
	var out []chan struct{}
	for w := range f.writes {
		if match(w.h) {
			out = append(out, w.done)
		}
	}
	return out
}

func wait(ctx context.Context, chans []chan struct{}) error {
	for _, c := range chans {
		select {
		case <-c:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// BeginWrite waits for the writes of h in flight, then registers one more:
// call end when the storage call has returned.
func (r *Repo) BeginWrite(ctx context.Context, h storage.Handle) (end func(), err error) {
	f := &r.inflight
	for {
		f.mu.Lock()
		busy := f.pending(func(o storage.Handle) bool { return o == h })
		if len(busy) == 0 {
			if f.writes == nil {
				f.writes = map[*write]struct{}{}
			}
			w := &write{h: h, done: make(chan struct{})}
			f.writes[w] = struct{}{}
			f.mu.Unlock()
			return func() {
				f.mu.Lock()
				delete(f.writes, w)
				f.mu.Unlock()
				close(w.done)
			}, nil
		}
		f.mu.Unlock()
		if err := wait(ctx, busy); err != nil {
			return nil, err
		}
	}
}

// AwaitWrites waits until the writes of h in flight when it is called have
// ended.
func (r *Repo) AwaitWrites(ctx context.Context, h storage.Handle) error {
	return r.await(ctx, func(o storage.Handle) bool { return o == h })
}

// AwaitKind waits until the writes of objects of kind k in flight when it
// is called have ended.
func (r *Repo) AwaitKind(ctx context.Context, k storage.Kind) error {
	return r.await(ctx, func(o storage.Handle) bool { return o.Kind == k })
}

func (r *Repo) await(ctx context.Context, match func(storage.Handle) bool) error {
	r.inflight.mu.Lock()
	busy := r.inflight.pending(match)
	r.inflight.mu.Unlock()
	return wait(ctx, busy)
}
