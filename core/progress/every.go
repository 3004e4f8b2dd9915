package progress

import "time"

// Every calls f every d until stop is closed, then returns: the loop that
// redraws a progress line or writes a running job's heartbeat.
func Every(stop <-chan struct{}, d time.Duration, f func()) {
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
