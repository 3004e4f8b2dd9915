package server

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"
)

// TestBodyBuffersRead: a body is read whole into a buffer of its length,
// past bodyFirst too; a buffer handed back serves the next body that fits
// in it, not a larger one; one above bodyPrealloc is not kept; a body
// that ends early is an error.
func TestBodyBuffersRead(t *testing.T) {
	b := newBodyBuffers()
	body := bytes.Repeat([]byte("0123456789abcdef"), (bodyFirst+1000)/16)
	first, err := b.read(iotest.HalfReader(bytes.NewReader(body)), len(body))
	if err != nil || !bytes.Equal(first, body) {
		t.Fatalf("a %d-byte body read as %d bytes, equal %v: %v", len(body), len(first), bytes.Equal(first, body), err)
	}
	b.put(first)
	again, err := b.read(bytes.NewReader(body[:1000]), 1000)
	if err != nil || !bytes.Equal(again, body[:1000]) || &again[0] != &first[0] {
		t.Fatal("a buffer handed back was not reused for a smaller body")
	}
	b.put(again)
	bigger, _ := b.read(bytes.NewReader(append(body, body...)), 2*len(body))
	if &bigger[0] == &first[0] {
		t.Fatal("a buffer was returned for a body larger than it")
	}
	b.put(make([]byte, 0, bodyPrealloc+1))
	select {
	case <-b.free:
		t.Fatal("a buffer larger than bodyPrealloc was kept")
	default:
	}
	for _, n := range []int{100, bodyFirst + 100} {
		if _, err := b.read(bytes.NewReader(body[:50]), n); err != io.ErrUnexpectedEOF {
			t.Errorf("a body announced as %d bytes that sent 50: %v, want io.ErrUnexpectedEOF", n, err)
		}
	}
}
