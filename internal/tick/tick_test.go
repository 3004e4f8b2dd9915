package tick

import (
	"context"
	"testing"
	"time"
)

// TestEvery: f runs at once and then on each tick; once ctx ends, Every
// returns and f runs no more.
func TestEvery(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	calls := 0
	start := time.Now()
	Every(ctx, 5*time.Millisecond, func(context.Context) {
		calls++
		if calls == 3 {
			cancel()
		}
	})
	if calls != 3 {
		t.Fatalf("f ran %d times, want 3", calls)
	}
	if d := time.Since(start); d < 10*time.Millisecond {
		t.Fatalf("three calls took %s, want two ticks of 5ms at least", d)
	}
}
