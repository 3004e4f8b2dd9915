// Package tick runs a piece of work at a fixed interval: Every (at once,
// then every interval, until a context ends: the server's background
// tasks) and Each (after each interval until a stop channel closes: a
// progress line, a running job's heartbeat).
package tick

import (
	"context"
	"time"
)

// Every calls f, then again every d, until ctx ends; a call under way is
// not interrupted, and none starts once ctx has ended. d must be positive.
func Every(ctx context.Context, d time.Duration, f func(context.Context)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		f(ctx)
		if ctx.Err() != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Each calls f every d (the first time after d) until stop is closed, then returns: the loop that
// redraws a progress line or writes a running job's heartbeat.
func Each(stop <-chan struct{}, d time.Duration, f func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			f()
		}
	}
}
