//go:build unix

package cli

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// TestWithSignals: SIGTERM cancels run's context instead of killing the
// process, and run's code is returned.
func TestWithSignals(t *testing.T) {
	code := WithSignals(func(ctx context.Context) int {
		syscall.Kill(syscall.Getpid(), syscall.SIGTERM)
		select {
		case <-ctx.Done():
			return 7
		case <-time.After(10 * time.Second):
			return 1
		}
	})
	if code != 7 {
		t.Fatalf("code %d, want 7: SIGTERM did not cancel the context", code)
	}
}
