package cputime

import "testing"

// TestLoop: op runs once per benchmark operation, and the bytes of an
// operation are what the result's throughput is counted in.
func TestLoop(t *testing.T) {
	calls := 0
	r := testing.Benchmark(func(b *testing.B) {
		calls = 0
		Loop(b, 1<<10, func() { calls++ })
	})
	if r.N == 0 || calls != r.N {
		t.Fatalf("op ran %d times in the last round of %d operations", calls, r.N)
	}
	if r.Bytes != 1<<10 {
		t.Fatalf("bytes per operation %d, want %d", r.Bytes, 1<<10)
	}
}
