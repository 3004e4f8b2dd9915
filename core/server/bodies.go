package server

import (
	"io"
	"runtime"
	"slices"
)

// bodyPrealloc is the largest request body read into a buffer of its
// Content-Length: every pack a repository writes by default (16 MiB) and
// most it can be told to write. A larger body grows as it arrives.
const bodyPrealloc = 64 << 20

// bodyFirst is what a body must send before a new buffer of its whole
// announced length is made: memory follows the bytes that arrive, not a
// header (a client that announces a pack and stalls holds at most this
// until its idle timeout).
const bodyFirst = 4 << 20

// bodyBuffers is a small free list of request-body buffers: an upload
// reuses the memory of one before it instead of allocating and zeroing a
// new one (on a stream of 16 MiB packs the allocations and the collector
// were half of the server's CPU). A buffer is handed back only once
// nothing can still read it: after a Save that returned nil, or when the
// object existed already. A failed or cancelled Save may leave a transport
// still sending it, so its buffer is left to the collector, as is that of
// a request refused or failed before its Save. It keeps at most
// GOMAXPROCS buffers (each at most bodyPrealloc) while the server idles.
type bodyBuffers struct{ free chan []byte }

func newBodyBuffers() *bodyBuffers {
	return &bodyBuffers{free: make(chan []byte, runtime.GOMAXPROCS(0))}
}

// read reads a body of announced length n (at most bodyPrealloc) into a
// buffer of that length: a free one when one fits, else a new one made
// once the first bodyFirst bytes have arrived.
func (b *bodyBuffers) read(body io.Reader, n int) ([]byte, error) {
	var data []byte
	select {
	case buf := <-b.free:
		if cap(buf) >= n {
			data = buf[:n]
		}
	default:
	}
	got := 0
	if data == nil {
		data = make([]byte, min(n, bodyFirst))
		if _, err := io.ReadFull(body, data); err != nil {
			return nil, err
		}
		got = len(data)
		data = slices.Grow(data, n-got)[:n]
	}
	_, err := io.ReadFull(body, data[got:])
	return data, err
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
