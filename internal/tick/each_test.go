package tick

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestEach: f runs on each tick, and Each returns once stop is closed.
func TestEach(t *testing.T) {
	stop := make(chan struct{})
	done := make(chan struct{})
	var calls atomic.Int32
	go func() {
		defer close(done)
		Each(stop, time.Millisecond, func() { calls.Add(1) })
	}()
	deadline := time.Now().Add(10 * time.Second)
	for calls.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	close(stop)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Each did not return after stop was closed")
	}
	if n := calls.Load(); n < 3 {
		t.Fatalf("f ran %d times, want at least 3", n)
	}
	n := calls.Load()
	time.Sleep(20 * time.Millisecond)
	if calls.Load() != n {
		t.Fatal("f ran after Each returned")
	}
}
