package server

import "testing"

// TestBodyBuffersReuse: a buffer handed back serves the next body that
// fits in it; one too small is not returned for a larger body, and one
// above bodyPrealloc is not kept.
func TestBodyBuffersReuse(t *testing.T) {
	b := newBodyBuffers()
	first := b.get(1 << 20)
	if len(first) != 1<<20 {
		t.Fatalf("get(1 MiB) has length %d", len(first))
	}
	b.put(first)
	again := b.get(1000)
	if len(again) != 1000 || &again[0] != &first[0] {
		t.Fatal("a buffer handed back was not reused for a smaller body")
	}
	b.put(again)
	if bigger := b.get(2 << 20); &bigger[0] == &first[0] {
		t.Fatal("a 1 MiB buffer was returned for a 2 MiB body")
	}
	b.put(make([]byte, 0, bodyPrealloc+1))
	select {
	case <-b.free:
		t.Fatal("a buffer larger than bodyPrealloc was kept")
	default:
	}
}
