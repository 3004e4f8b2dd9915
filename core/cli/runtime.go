package cli

import (
	"os"
	"runtime/debug"
)

// TuneRuntime sets the garbage collector for savepoint's workload; the
// binaries call it first thing. Most of a save's heap is a few large buffers
// that live the whole run and are reused (packs, groups, chunker buffers:
// ~70 MiB), and Go lets garbage grow in proportion to the live heap before
// it collects, so its default (GOGC 100) or even 50 adds tens of MiB of
// garbage on top. Those buffers hold no pointers and cost the collector
// nothing to scan: at GOGC 10 a cold save of a 20,000-file tree peaks at
// ~105 MiB instead of ~129 MiB (GOGC 50), with the collector at 2% of the
// CPU (docs/performance.md). A GOGC set by the user wins.
func TuneRuntime() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(10)
	}
}
