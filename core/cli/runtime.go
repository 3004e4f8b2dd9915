package cli

import (
	"os"
	"runtime/debug"
)

// TuneRuntime sets the garbage collector for savepoint's workload; the
// binaries call it first thing. The save pipeline recycles large buffers
// (chunks, packs), and Go's default of letting the heap double before a
// collection made peak memory about a third higher than needed: with GOGC 50
// a cold save of a 20,000-file tree peaks at ~160 MiB instead of ~220 MiB,
// with no measurable change in time (docs/performance.md). A GOGC set by the
// user wins.
func TuneRuntime() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
}
