package repository

import "sync"

// dataPackBuffers is how many data pack buffers a session holds at most:
// one filling and one uploading. Each is a whole pack (16 MiB by default),
// the largest part of a save's memory; a third would let two uploads run
// at once, which a local disk or a CI runner's link to its object store
// does not need to keep up with compression.
const dataPackBuffers = 2

// packBuffers hands out pack-sized buffers, at most max at a time: a
// writer that needs one more waits until an upload gives one back. That
// bounds the memory of a save whatever the speed of the backend, and the
// buffers are reused, so they never become garbage.
type packBuffers struct {
	mu   sync.Mutex
	cond sync.Cond
	free [][]byte
	made int
	max  int
	size int
}

func newPackBuffers(max, size int) *packBuffers {
	p := &packBuffers{max: max, size: size}
	p.cond.L = &p.mu
	return p
}

// get returns an empty buffer of capacity size, waiting for one if max are
// in use.
func (p *packBuffers) get() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if n := len(p.free); n > 0 {
			b := p.free[n-1]
			p.free = p.free[:n-1]
			return b[:0]
		}
		if p.made < p.max {
			p.made++
			return make([]byte, 0, p.size)
		}
		p.cond.Wait()
	}
}

// put gives a buffer from get back (a buffer that grew past the pack size
// for one huge blob is dropped instead).
func (p *packBuffers) put(b []byte) {
	p.mu.Lock()
	if cap(b) <= p.size+p.size/8 {
		p.free = append(p.free, b)
	} else {
		p.made--
	}
	p.mu.Unlock()
	p.cond.Signal()
}
