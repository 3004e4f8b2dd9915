package server

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/server/jobs"
	"github.com/savepoint-ci/savepoint/core/server/service"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// TestJobsFollowCancelRestart: a save job of server paths runs in the
// background and its result is the snapshot; a cancelled job commits
// nothing and leaves no session marker; a job running when the server
// stops ends interrupted; the history survives the restart.
func TestJobsFollowCancelRestart(t *testing.T) {
	srv := startManaged(t)
	admin := newAPI(t, srv, srv.Token("app", "admin"))
	data := t.TempDir()
	testrepo.WriteFile(t, data, "db/dump.sql", testrepo.Random(2<<20))
	testrepo.WriteFile(t, data, "uploads/a.png", testrepo.Random(300<<10))

	saved := admin.start("app", jobs.Spec{Kind: jobs.KindSave, Paths: []string{data}, Name: "nightly"})
	if saved.State != jobs.StateRunning || saved.ID == "" {
		t.Fatalf("a started job: %+v", saved)
	}
	done := admin.wait(saved.ID, time.Minute)
	if done.State != jobs.StateSucceeded || done.Code != "" {
		t.Fatalf("the save job: %+v", done)
	}
	result, _ := done.Result.(map[string]any)
	var list []snapshot.Summary
	admin.ok(http.StatusOK, "GET", "/api/v1/repositories/app/snapshots?name=nightly", nil, &list)
	if len(list) != 1 || result["id"] != list[0].ID || list[0].Stats.Files != 2 || list[0].Provenance["server_job"] != saved.ID {
		t.Fatalf("the job's result %v, the snapshots %+v", result, list)
	}
	if !strings.Contains(logText(done), "saved snapshot "+list[0].ShortID) {
		t.Errorf("the job's log: %s", logText(done))
	}

	// Cancelled while its command runs: nothing is committed.
	slow := admin.start("app", jobs.Spec{Kind: jobs.KindSave, Commands: []jobs.Command{{Name: "dump", Command: "echo partial; sleep 60"}}, Name: "slow"})
	time.Sleep(300 * time.Millisecond)
	admin.ok(http.StatusAccepted, "DELETE", "/api/v1/jobs/"+slow.ID, nil, nil)
	cancelled := admin.wait(slow.ID, 30*time.Second)
	if cancelled.State != jobs.StateCancelled || cancelled.Code != jobs.CodeCancelled {
		t.Fatalf("the cancelled job: %+v", cancelled)
	}
	admin.ok(http.StatusConflict, "DELETE", "/api/v1/jobs/"+slow.ID, nil, nil)
	admin.ok(http.StatusOK, "GET", "/api/v1/repositories/app/snapshots?name=slow", nil, &list)
	var st service.RepositoryStats
	admin.ok(http.StatusOK, "GET", "/api/v1/repositories/app", nil, &st)
	if len(list) != 0 || st.Snapshots != 1 || st.Kinds["sessions"].Objects != 0 {
		t.Fatalf("after the cancel: %d slow snapshot(s), %d snapshot(s), %d session marker(s)", len(list), st.Snapshots, st.Kinds["sessions"].Objects)
	}

	// Running when the server stops: interrupted, and the history stays.
	running := admin.start("app", jobs.Spec{Kind: jobs.KindSave, Commands: []jobs.Command{{Name: "dump", Command: "sleep 60"}}})
	time.Sleep(300 * time.Millisecond)
	srv.Restart()
	var after []jobs.Job
	admin.ok(http.StatusOK, "GET", "/api/v1/repositories/app/jobs", nil, &after)
	states := map[string]jobs.State{}
	for _, j := range after {
		states[j.ID] = j.State
	}
	if len(after) != 3 || states[saved.ID] != jobs.StateSucceeded || states[slow.ID] != jobs.StateCancelled || states[running.ID] != jobs.StateInterrupted {
		t.Fatalf("jobs after the restart: %v", states)
	}
	var j jobs.Job
	admin.ok(http.StatusOK, "GET", "/api/v1/jobs/"+saved.ID, nil, &j)
	if len(j.Log) == 0 || j.Result == nil {
		t.Errorf("a finished job read after the restart lost its log or result: %+v", j)
	}
}

func logText(j jobs.Job) string {
	var b strings.Builder
	for _, l := range j.Log {
		b.WriteString(l.Text + "\n")
	}
	return b.String()
}

// TestJobsOnePrunePerRepository: while a prune job of a repository runs,
// a second one is refused (409, and `remote jobs start` exits 11) and a
// save job still starts. The first prune is held at its first read: the
// repository's config is swapped for a FIFO until the test opens it.
func TestJobsOnePrunePerRepository(t *testing.T) {
	srv := startManaged(t)
	tok := srv.Token("app", "admin")
	admin := newAPI(t, srv, tok)
	release := holdConfig(t, srv, "app")
	first := admin.start("app", jobs.Spec{Kind: jobs.KindPrune})
	admin.ok(http.StatusConflict, "POST", "/api/v1/repositories/app/jobs", jobs.Spec{Kind: jobs.KindPrune}, nil)
	c := newClient(t, srv, "app", tok)
	if code, _, errOut := c.run("remote", "jobs", "start", "prune"); code != 11 || !strings.Contains(errOut, "prune job") {
		t.Errorf("remote jobs start prune during a prune: exit %d, %s", code, errOut)
	}
	data := t.TempDir()
	testrepo.WriteFile(t, data, "f", []byte("x"))
	save := admin.start("app", jobs.Spec{Kind: jobs.KindSave, Paths: []string{data}})
	release()
	// The held jobs read an empty config from the FIFO and fail; what
	// counts is that they ran side by side and that the repository is
	// free for a prune again once they are over.
	for _, id := range []string{first.ID, save.ID} {
		admin.wait(id, time.Minute)
	}
	if j := admin.wait(admin.start("app", jobs.Spec{Kind: jobs.KindPrune}).ID, time.Minute); j.State != jobs.StateSucceeded {
		t.Errorf("a prune after the first one: %s %s", j.State, j.Error)
	}
}

// TestRemoteWait: `savepoint remote jobs start --wait` follows a job and
// exits with the code the same operation has locally; without --wait it
// prints the job ID and returns (fire and forget).
func TestRemoteWait(t *testing.T) {
	srv := startManaged(t)
	initRepo(t, srv, "blind", srv.Token("blind", "admin"))
	c := newClient(t, srv, "app", srv.Token("app", "admin"))
	data := t.TempDir()
	testrepo.WriteFile(t, data, "www/index.html", []byte("hello"))
	code, out, errOut := c.run("remote", "jobs", "start", "save", "--name", "www", "--wait", filepath.Join(data, "www"))
	if code != 0 || !strings.Contains(out, "save succeeded on app") {
		t.Fatalf("save --wait: exit %d\n%s%s", code, out, errOut)
	}
	target := filepath.Join(t.TempDir(), "restored")
	c.ok("remote", "jobs", "start", "restore", "--target", target, "--wait", "www:latest")
	if d := testrepo.Equal(t, filepath.Join(data, "www"), filepath.Join(target, strings.TrimPrefix(filepath.Join(data, "www"), "/"))); d != "" {
		t.Errorf("the restore job's files differ: %s", d)
	}
	cases := []struct {
		args []string
		code int
	}{
		{[]string{"remote", "jobs", "start", "restore", "--target", target, "--wait", "nothing:latest"}, 13}, // no snapshot
		{[]string{"remote", "jobs", "start", "forget", "--wait"}, 2},                                         // no policy: usage
		{[]string{"remote", "jobs", "start", "save", "--wait", "relative/path"}, 2},
		{[]string{"remote", "jobs", "start", "verify", "--wait", "--repo", srv.Repo("blind")}, 14}, // the token is for app
	}
	for _, tc := range cases {
		if code, _, errOut := c.run(tc.args...); code != tc.code || strings.Count(strings.TrimSpace(errOut), "\n") > 8 {
			t.Errorf("savepoint %s: exit %d, want %d\n%s", strings.Join(tc.args, " "), code, tc.code, errOut)
		}
	}
	blindAdmin := newClient(t, srv, "blind", srv.Token("blind", "admin"))
	if code, _, errOut := blindAdmin.run("remote", "jobs", "start", "verify", "--wait"); code != 12 || !strings.Contains(errOut, "no password") {
		t.Errorf("a job on a repository whose password the server lacks: exit %d, %s", code, errOut)
	}
	reader := newClient(t, srv, "app", srv.Token("app", "read"))
	reader.refused("admin", "remote", "jobs", "start", "verify")

	// Fire and forget, then cancel: status --wait exits 130.
	id := strings.TrimSpace(c.ok("remote", "jobs", "start", "save", "--command", "dump=sleep 60"))
	c.ok("remote", "jobs", "cancel", "--wait", id)
	if code, out, _ := c.run("remote", "jobs", "status", "--wait", id); code != 130 || !strings.Contains(out, "cancelled") {
		t.Errorf("status --wait of a cancelled job: exit %d\n%s", code, out)
	}
	if out := c.ok("remote", "jobs", "list"); strings.Count(out, "\n") != 5 || !strings.Contains(out, id) {
		t.Errorf("remote jobs list:\n%s", out)
	}
}
