// Package testclock is a settable clock for time-based rules in tests.
package testclock

import (
	"os"
	"strings"
	"sync"
	"time"
)

// Clock is a manual clock, safe for concurrent use. A clock made by New
// stands still until advanced; one made by Real runs with the wall clock,
// shifted by every Advance (for servers whose own clock stamps objects).
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	real   bool
	offset time.Duration
}

// New returns a clock set to a fixed date.
func New() *Clock { return &Clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

// Real returns a clock that follows the wall clock plus what Advance adds.
func Real() *Clock { return &Clock{real: true} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.real {
		return time.Now().Add(c.offset)
	}
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.offset += d
	c.mu.Unlock()
}

// File returns a clock that reads the time from a file holding an RFC 3339
// time, at every call (the wall clock while the file is missing or holds
// something else). `savepoint serve --test-clock FILE` runs its schedules
// on it, so a test moves a real server's clock by writing the file.
func File(path string) func() time.Time {
	return func() time.Time {
		data, err := os.ReadFile(path)
		if err == nil {
			if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(data))); err == nil {
				return t
			}
		}
		return time.Now()
	}
}
