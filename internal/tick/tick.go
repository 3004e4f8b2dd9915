// Package tick runs a piece of work at once and then at a fixed interval
// until a context ends: the loop of the server's background tasks.
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
