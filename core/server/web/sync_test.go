package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/server/jobs"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
)

// TestSyncJobsShown: the jobs page shows a sync job's source, selection
// and result (read back from its record, as another process's job is),
// the schedules page a sync schedule's source and selection; neither
// shows the token or password files.
func TestSyncJobsShown(t *testing.T) {
	tv := newTestView(t, false)
	ctx := t.Context()
	from := jobs.SyncSource{Repo: "https://near.example.com:8417/app", TokenFile: "/etc/savepoint/near-read.token", PasswordFile: "/etc/savepoint/near-app.password"}
	spec := jobs.Spec{Kind: jobs.KindSync, From: from, Name: "deploy", Latest: 2}
	now := time.Now().UTC()
	done := jobs.Job{ID: "20260102T000000Z-00000001", Repository: "app", Spec: spec, State: jobs.StateSucceeded,
		Created: now, Started: now, Finished: now.Add(time.Minute), Updated: now.Add(time.Minute), By: "schedule", Schedule: "s1", Instance: "elsewhere",
		Result: &jobs.SyncResult{Source: from.Repo, Selected: 2, Copied: []string{"aa"}, Present: 1, Bytes: 3 << 20}}
	table, err := tv.svc.Repos.Table(ctx, jobs.TableName)
	if err != nil {
		t.Fatal(err)
	}
	if err := table.Put(ctx, done.ID, done); err != nil {
		t.Fatal(err)
	}
	if _, err := tv.svc.Schedules.Add(ctx, "app", "0 2 * * *", spec, "tok"); err != nil {
		t.Fatal(err)
	}
	tok, _ := tv.token("app", tokens.RoleRead)
	c := tv.client()
	tv.login(c, tok)
	code, page := tv.get(c, "/ui/app/jobs")
	if code != http.StatusOK || !strings.Contains(page, "latest 2 of deploy from <span class=\"mono\">https://near.example.com:8417/app</span>: 1 copied, 1 present, 3.0 MiB moved") {
		t.Errorf("jobs page: %d\n%s", code, page)
	}
	code, sched := tv.get(c, "/ui/app/schedules")
	if code != http.StatusOK || !strings.Contains(sched, "latest 2 of deploy from <span class=\"mono\">https://near.example.com:8417/app</span>") {
		t.Errorf("schedules page: %d\n%s", code, sched)
	}
	for _, p := range []string{page, sched} {
		if strings.Contains(p, "/etc/savepoint") {
			t.Error("a page names the sync's secret files")
		}
	}
}
