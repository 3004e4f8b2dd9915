package server

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/server/jobs"
	"github.com/savepoint-ci/savepoint/core/server/schedules"
)

// TestScheduleFires: a schedule added with `savepoint remote schedules
// add` shows its next run time, starts its job when the server's clock
// (serve --test-clock, a file the test writes) passes it, moves on to the
// next day, and survives a restart; the prune it starts is in the
// metrics.
func TestScheduleFires(t *testing.T) {
	clock := filepath.Join(t.TempDir(), "now")
	setClock := func(s string) {
		if err := os.WriteFile(clock, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	setClock("2030-01-01T02:59:00Z")
	srv := startManaged(t, "--test-clock", clock)
	c := newClient(t, srv, "app", srv.Token("app", "admin"))
	id := strings.TrimSpace(c.ok("remote", "schedules", "add", "--cron", "0 3 * * *", "prune", "--keep-last", "7"))
	if out := c.ok("remote", "schedules", "list"); !strings.Contains(out, id) || !strings.Contains(out, "2030-01-01T03:00:00Z") {
		t.Fatalf("schedules list does not show the next run at 03:00:\n%s", out)
	}
	admin := newAPI(t, srv, srv.Token("app", "admin"))
	var list []jobs.Job
	time.Sleep(1500 * time.Millisecond) // a tick or more: nothing is due yet
	admin.ok(http.StatusOK, "GET", "/api/v1/repositories/app/jobs", nil, &list)
	if len(list) != 0 {
		t.Fatalf("a job started before its time: %+v", list)
	}
	setClock("2030-01-01T03:00:05Z")
	var sc schedules.Schedule
	deadline := time.Now().Add(30 * time.Second)
	for sc.LastJob == "" && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		admin.ok(http.StatusOK, "GET", "/api/v1/schedules/"+id, nil, &sc)
	}
	if sc.LastJob == "" {
		t.Fatalf("the schedule did not fire: %+v", sc)
	}
	j := admin.wait(sc.LastJob, time.Minute)
	if j.State != jobs.StateSucceeded || j.Schedule != id || j.By != "schedule" || j.Spec.Keep == nil || j.Spec.Keep.Last != 7 {
		t.Fatalf("the scheduled job: %+v", j)
	}
	if !sc.Next.Equal(time.Date(2030, 1, 2, 3, 0, 0, 0, time.UTC)) {
		t.Errorf("next run after firing: %s", sc.Next)
	}
	// The scheduled prune is in the metrics: counted, and the last prune.
	m := scrape(t, srv, srv.Token("*", "read"))
	if got := m.get("savepoint_jobs_total", "kind", "prune", "result", "succeeded"); got != 1 {
		t.Errorf("scheduled prunes counted: %v, want 1", got)
	}
	if got := m.get("savepoint_repository_last_prune_timestamp_seconds", "repository", "app"); got != float64(j.Finished.UnixMilli())/1e3 {
		t.Errorf("last prune time %v, want the scheduled job's end %s", got, j.Finished)
	}
	srv.Restart()
	admin.ok(http.StatusOK, "GET", "/api/v1/repositories/app/jobs", nil, &list)
	if len(list) != 1 {
		t.Errorf("the schedule fired again after the restart: %d jobs", len(list))
	}
	c.ok("remote", "schedules", "remove", id)
	if out := c.ok("remote", "schedules", "list"); strings.Contains(out, id) {
		t.Errorf("removed schedule still listed:\n%s", out)
	}
}
