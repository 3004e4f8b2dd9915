// Package schedules starts the server's jobs (package jobs) on cron
// schedules (robfig/cron expressions, in UTC unless CRON_TZ= says
// otherwise): a schedule names a repository, a cron expression and a job
// spec, such as a prune with the retention policy it forgets by first.
// Schedules are records in the server's storage (table "schedules"), so
// they survive restarts and every server process sees them. The clock is
// injected: tests move it (serve --test-clock, docs/server.md).
package schedules

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/savepoint-ci/savepoint/core/server/jobs"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// TableName is the records table that holds the schedules.
const TableName = "schedules"

// Schedule starts a job on a repository at the times of a cron expression.
type Schedule struct {
	ID         string    `json:"id"`
	Repository string    `json:"repository"`
	Cron       string    `json:"cron" doc:"Cron expression: five fields (minute hour day-of-month month day-of-week) or @hourly, @daily, @weekly, @every 6h; UTC unless it starts with CRON_TZ=ZONE"`
	Spec       jobs.Spec `json:"spec" doc:"The job to start"`
	Created    time.Time `json:"created"`
	By         string    `json:"by" doc:"ID of the token that added it"`
	LastRun    time.Time `json:"last_run,omitzero"`
	LastJob    string    `json:"last_job,omitempty" doc:"ID of the last job started"`
	LastError  string    `json:"last_error,omitempty" doc:"Why the last job could not start"`
	// Next is computed when the schedule is read, never stored.
	Next time.Time `json:"next_run" doc:"When the next job starts"`
}

var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Parse checks a cron expression.
func Parse(expr string) (cron.Schedule, error) {
	s, err := parser.Parse(expr)
	if err != nil {
		return nil, fmt.Errorf("cron expression %q: %v: %w", expr, err, storage.ErrInvalid)
	}
	return s, nil
}

// due returns when s next fires after its last run (or its creation).
func (s *Schedule) due() time.Time {
	c, err := Parse(s.Cron)
	if err != nil {
		return time.Time{}
	}
	base := s.Created
	if s.LastRun.After(base) {
		base = s.LastRun
	}
	return c.Next(base).UTC()
}
