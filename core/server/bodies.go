package server

import "runtime"

// bodyPrealloc is the largest request body the server makes room for at
// once, from its Content-Length: every pack a repository writes by
// default (16 MiB) and most it can be told to write. A larger body grows
// with the bytes that arrive.
const bodyPrealloc = 64 << 20

// bodyBuffers is a small free list of request-body buffers: an upload
// reuses the memory of one before it instead of allocating and zeroing a
// new one (on a stream of 16 MiB packs the allocations and the collector
// were half of the server's CPU). A buffer is handed back only once
// nothing can still read it: after a Save that returned nil, or when the
// object existed already. A failed or cancelled Save may leave a transport
// still sending it, so its buffer is left to the collector, as is that of
// a request refused or failed before its Save.
type bodyBuffers struct{ free chan []byte }

func newBodyBuffers() *bodyBuffers {
	return &bodyBuffers{free: make(chan []byte, runtime.GOMAXPROCS(0))}
}

// get returns a buffer of length n (its bytes are not cleared).
func (b *bodyBuffers) get(n int) []byte {
	select {
	case buf := <-b.free:
		if cap(buf) >= n {
			return buf[:n]
		}
	default:
	}
	return make([]byte, n)
}

// put keeps buf for a later get, if there is room.
func (b *bodyBuffers) put(buf []byte) {
	if cap(buf) == 0 || cap(buf) > bodyPrealloc {
		return
	}
	select {
	case b.free <- buf[:0]:
	default:
	}
}
