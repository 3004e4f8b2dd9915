package main

import (
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

// startProfile is a hook for performance work (docs/performance.md):
// $SAVEPOINT_CPUPROFILE names a CPU profile to write, $SAVEPOINT_MEMPROFILE
// a heap profile taken when the heap in use was largest (sampled every
// 100 ms). It returns the function that stops profiling.
func startProfile() func() {
	var stops []func()
	if path := os.Getenv("SAVEPOINT_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			if err := pprof.StartCPUProfile(f); err == nil {
				stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
			}
		}
	}
	if path := os.Getenv("SAVEPOINT_MEMPROFILE"); path != "" {
		done := make(chan struct{})
		finished := make(chan struct{})
		go func() {
			defer close(finished)
			var peak uint64
			t := time.NewTicker(100 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
				}
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak {
					peak = ms.HeapInuse
					if f, err := os.Create(path); err == nil {
						pprof.Lookup("heap").WriteTo(f, 0)
						f.Close()
					}
				}
			}
		}()
		stops = append(stops, func() { close(done); <-finished })
	}
	return func() {
		for _, s := range stops {
			s()
		}
	}
}
