package repository

import (
	"context"
	"sync"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// dataPackBuffers is how many data pack buffers a session holds at most.
// Each is a whole pack (16 MiB by default), the largest part of a save's
// memory. On a local disk two: one filling, one being written, which keeps
// up with compression. Over a network three, so that two uploads are in
// flight while the next pack fills: a single upload's round trip left the
// pipeline waiting (a 240 MB incompressible save through savepoint serve
// on loopback took 1.46x the wall time of a local directory with two
// buffers, 1.25x with three, for 17 MiB more peak memory).
func dataPackBuffers(be storage.Backend) int {
	if n, ok := be.(storage.Networked); ok && n.Networked() {
		return 3
	}
	return 2
}

// packBuffers hands out pack-sized buffers, at most max at a time: a
// writer that needs one more waits until an upload gives one back. That
// bounds the memory of a save whatever the speed of the backend, and the
// buffers are reused, so they never become garbage.
type packBuffers struct {
	inUse chan struct{} // one token per buffer handed out
	mu    sync.Mutex
	free  [][]byte
	size  int
}

func newPackBuffers(max, size int) *packBuffers {
	return &packBuffers{inUse: make(chan struct{}, max), size: size}
}

// get returns an empty buffer of capacity size, waiting for one while max
// are in use, or until ctx ends.
func (p *packBuffers) get(ctx context.Context) ([]byte, error) {
	select {
	case p.inUse <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		b := p.free[n-1]
		p.free = p.free[:n-1]
		return b[:0], nil
	}
	return make([]byte, 0, p.size), nil
}

// put gives a buffer from get back (a buffer that grew past the pack size
// for one huge blob is dropped instead).
func (p *packBuffers) put(b []byte) {
	if cap(b) <= p.size+p.size/8 {
		p.mu.Lock()
		p.free = append(p.free, b)
		p.mu.Unlock()
	}
	<-p.inUse
}
