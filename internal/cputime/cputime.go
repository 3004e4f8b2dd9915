// Package cputime reports benchmark throughput per CPU-second, which holds
// steady on a shared machine where wall-clock MB/s swings with the load.
package cputime

import (
	"testing"
	"time"
)

// Report adds a "MB/cpu-s" metric to b: bytes processed per second of CPU
// time spent by the whole process (every goroutine, GC included) since start.
func Report(b *testing.B, start time.Duration, bytes int64) {
	if d := Now() - start; d > 0 {
		b.ReportMetric(float64(bytes)/1e6/d.Seconds(), "MB/cpu-s")
	}
}

// Loop runs op as b's operation, each processing bytes, and reports
// throughput per wall-clock second (SetBytes) and per CPU-second (Report).
func Loop(b *testing.B, bytes int64, op func()) {
	b.SetBytes(bytes)
	start := Now()
	for b.Loop() {
		op()
	}
	Report(b, start, int64(b.N)*bytes)
}
