package jobs

import (
	"fmt"
	"sync"
	"time"

	"github.com/savepoint-ci/savepoint/core/progress"
)

// reporter is a job's progress.Reporter: the counters of the current
// phase, read whenever the job is asked for, and its log.
type reporter struct {
	now func() time.Time

	mu      sync.Mutex
	phase   string
	c       *progress.Counters
	started time.Time
	log     []LogLine
	dropped int
}

var _ progress.Reporter = (*reporter)(nil)

// WantsTotals asks operations for totals, so that jobs show an ETA.
func (r *reporter) WantsTotals() bool { return true }

func (r *reporter) Phase(name string, c *progress.Counters) {
	r.mu.Lock()
	r.phase, r.c, r.started = name, c, r.now()
	r.mu.Unlock()
	r.Logf("phase %s", name)
}

func (r *reporter) Warn(msg string) { r.Logf("warning: %s", msg) }

func (r *reporter) Done() {}

// Logf adds a log line.
func (r *reporter) Logf(format string, a ...any) {
	r.add(fmt.Sprintf(format, a...))
}

func (r *reporter) add(text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = append(r.log, LogLine{Time: r.now().UTC(), Text: text})
	if over := len(r.log) - MaxLogLines; over > 0 {
		r.dropped += over
		r.log = append(r.log[:0], r.log[over:]...)
	}
}

// progress is the current phase's progress (nil before the first phase).
func (r *reporter) progress() *Progress {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.c == nil {
		return nil
	}
	p := &Progress{Phase: r.phase, Files: r.c.Files.Load(), TotalFiles: r.c.TotalFiles.Load(),
		Bytes: r.c.Bytes.Load(), TotalBytes: r.c.TotalBytes.Load()}
	if el := r.now().Sub(r.started).Seconds(); el > 0 {
		p.Rate = float64(p.Bytes) / el
	}
	if p.TotalBytes > p.Bytes && p.Rate > 0 {
		p.ETA = float64(int64(float64(p.TotalBytes-p.Bytes) / p.Rate))
	}
	return p
}

// lines is a copy of the log, with a first line saying how many were
// dropped.
func (r *reporter) lines() []LogLine {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]LogLine, 0, len(r.log)+1)
	if r.dropped > 0 {
		out = append(out, LogLine{Time: r.log[0].Time, Text: fmt.Sprintf("(%d earlier lines dropped)", r.dropped)})
	}
	return append(out, r.log...)
}
