package main

import (
	"os"
	"runtime/pprof"
)

// startProfile writes a CPU profile to $SAVEPOINT_CPUPROFILE when it is set:
// a hook for performance work (see docs/performance.md). It returns the
// function that stops the profile.
func startProfile() func() {
	path := os.Getenv("SAVEPOINT_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
