package cli

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/savepoint-ci/savepoint/core/progress"
	"github.com/savepoint-ci/savepoint/internal/tick"
)

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// reporter prints progress on stderr: a bar redrawn in place on a TTY, a
// line every few seconds otherwise (CI logs), nothing when quiet (warnings
// are still printed).
type reporter struct {
	w        io.Writer
	tty      bool
	quiet    bool
	interval time.Duration

	mu    sync.Mutex
	phase string
	c     *progress.Counters
	start time.Time
	stop  chan struct{}
	wg    sync.WaitGroup
	drawn bool
}

func newReporter(env Env, quiet bool) *reporter {
	r := &reporter{w: env.Stderr, tty: env.StderrIsTTY, quiet: quiet, interval: 5 * time.Second}
	if r.tty {
		r.interval = 200 * time.Millisecond
	}
	return r
}

// WantsTotals tells operations whether to count totals for the ETA:
// not with --quiet, where nothing is shown.
func (r *reporter) WantsTotals() bool { return !r.quiet }

func (r *reporter) Phase(name string, c *progress.Counters) {
	r.stopTicker()
	if r.quiet {
		return
	}
	r.mu.Lock()
	r.phase, r.c, r.start = name, c, time.Now()
	r.stop = make(chan struct{})
	r.mu.Unlock()
	r.wg.Add(1)
	go func(stop chan struct{}) {
		defer r.wg.Done()
		tick.Each(stop, r.interval, r.draw)
	}(r.stop)
}

func (r *reporter) stopTicker() {
	r.mu.Lock()
	stop := r.stop
	r.stop = nil
	r.mu.Unlock()
	if stop != nil {
		close(stop)
		r.wg.Wait()
	}
	r.clear()
}

func (r *reporter) line() string {
	c := r.c
	files, bytes := c.Files.Load(), c.Bytes.Load()
	tf, tb := c.TotalFiles.Load(), c.TotalBytes.Load()
	el := time.Since(r.start).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(bytes) / el
	}
	s := fmt.Sprintf("[%s] %d", r.phase, files)
	if tf > 0 {
		s += fmt.Sprintf("/%d", tf)
	}
	s += " files, " + BytesHuman(bytes)
	if tb > 0 {
		s += "/" + BytesHuman(tb)
	}
	s += fmt.Sprintf(", %s/s", BytesHuman(int64(rate)))
	if tb > bytes && rate > 0 {
		s += fmt.Sprintf(", ETA %s", (time.Duration(float64(tb-bytes)/rate) * time.Second / time.Second).Round(time.Second))
	}
	return s
}

func (r *reporter) draw() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.c == nil {
		return
	}
	if r.tty {
		fmt.Fprintf(r.w, "\r\033[K%s", r.line())
		r.drawn = true
	} else {
		fmt.Fprintln(r.w, r.line())
	}
}

func (r *reporter) clear() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.drawn {
		fmt.Fprint(r.w, "\r\033[K")
		r.drawn = false
	}
}

func (r *reporter) Warn(msg string) {
	r.clear()
	r.mu.Lock()
	fmt.Fprintln(r.w, "warning: "+msg)
	r.mu.Unlock()
}

func (r *reporter) Done() { r.stopTicker() }
