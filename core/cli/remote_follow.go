package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/savepoint-ci/savepoint/core/progress"
	"github.com/savepoint-ci/savepoint/core/server/client"
	"github.com/savepoint-ci/savepoint/core/server/jobs"
)

// pollInterval is how often a followed job is asked for.
const pollInterval = time.Second

// followJob polls job j until it ends, showing its progress with the
// reporter a local save uses and its new log lines on stderr, then prints
// it and returns its outcome as an error (client.JobErr): the exit code is
// the one the same operation has when run locally. Stopping the CLI stops
// following, not the job.
func followJob(ctx context.Context, g *Globals, c *client.Client, j jobs.Job) error {
	rep := newReporter(g.Env, g.Quiet)
	counters := &progress.Counters{}
	phase, seen := "", 0
	for {
		if p := j.Progress; p != nil {
			if p.Phase != phase {
				phase = p.Phase
				counters = &progress.Counters{}
				rep.Phase(phase, counters)
			}
			counters.Files.Store(p.Files)
			counters.Bytes.Store(p.Bytes)
			counters.TotalFiles.Store(p.TotalFiles)
			counters.TotalBytes.Store(p.TotalBytes)
		}
		seen = showLog(g, rep, j, seen)
		if j.State.Final() {
			break
		}
		if err := sleepCtx(ctx, pollInterval); err != nil {
			rep.Done()
			fmt.Fprintf(g.Env.Stderr, "savepoint: stopped following job %s; it goes on on the server ('savepoint remote jobs status %s')\n", j.ID, j.ID)
			return err
		}
		next, err := c.Job(ctx, j.ID)
		if err != nil {
			rep.Done()
			return fmt.Errorf("following job %s: %w", j.ID, err)
		}
		j = next
	}
	rep.Done()
	if g.JSON {
		if err := printJSON(g.Env.Stdout, j); err != nil {
			return err
		}
	} else {
		printJob(g, j, false)
	}
	return client.JobErr(j)
}

// showLog prints the log lines after the first seen ones (not with
// --quiet) and returns how many there are. The server keeps the last
// jobs.MaxLogLines lines, so seen is capped by what it sends.
func showLog(g *Globals, rep *reporter, j jobs.Job, seen int) int {
	if seen > len(j.Log) {
		seen = 0
	}
	if g.Quiet {
		return len(j.Log)
	}
	for _, l := range j.Log[seen:] {
		rep.clear()
		rep.mu.Lock()
		fmt.Fprintln(rep.w, "job: "+l.Text)
		rep.mu.Unlock()
	}
	return len(j.Log)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
