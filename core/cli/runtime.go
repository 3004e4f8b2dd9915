package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
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

// WithSignals is how each savepoint binary runs its work: the runtime
// tuned (TuneRuntime), run called with a context that SIGINT or SIGTERM
// cancels (a command then stops with nothing half-committed and exit code
// 130), and run's exit code returned for the binary to exit with.
func WithSignals(run func(ctx context.Context) int) int {
	TuneRuntime()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx)
}

// Entrypoint runs a platform entrypoint binary (the action, the plugin)
// named name: given only --version, -v or version it prints its version
// (PrintVersion), else it calls run as WithSignals does. It returns the
// exit code.
func Entrypoint(name, version string, run func(ctx context.Context) int) int {
	if PrintVersion(os.Stdout, name, version, os.Args[1:]) {
		return ExitOK
	}
	return WithSignals(run)
}

// PrintVersion serves the entrypoints' one argument of their own: when args
// (without the program name) are only --version, -v or version, it writes
// "NAME version VERSION" to w and reports true.
func PrintVersion(w io.Writer, name, version string, args []string) bool {
	if len(args) != 1 || args[0] != "--version" && args[0] != "-v" && args[0] != "version" {
		return false
	}
	fmt.Fprintln(w, name+" version "+version)
	return true
}
