package repository

import (
	"context"
	"errors"
	"testing"
)

// packBuffers hands out at most max buffers; a caller waiting for one
// gives up when its context ends, and a buffer given back is reused.
func TestPackBuffersBoundAndCancel(t *testing.T) {
	p := newPackBuffers(2, 1<<10)
	ctx := t.Context()
	a, _ := p.get(ctx)
	b, _ := p.get(ctx)
	c, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := p.get(c); !errors.Is(err, context.Canceled) {
		t.Fatalf("a third buffer while two are out: %v, want context.Canceled", err)
	}
	p.put(append(a, 1))
	again, err := p.get(ctx)
	if err != nil || len(again) != 0 || cap(again) != 1<<10 || &again[:1][0] != &a[:1][0] {
		t.Fatalf("the buffer given back is not reused empty: %v", err)
	}
	p.put(append(b, make([]byte, 2<<10)...)) // grew past the size: dropped
	if _, err := p.get(ctx); err != nil {
		t.Fatalf("a dropped buffer still counts as out: %v", err)
	}
}
