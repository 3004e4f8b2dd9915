package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// TestSaveOnPost runs two jobs the way actions/cache works: the main step
// restores NAME:latest (a miss in the first job), the post step saves after
// a successful job and does not save after a failed one.
func TestSaveOnPost(t *testing.T) {
	ws := workspace(t)
	in := repoInputs(t, map[string]string{"paths": "data", "name": "deps"})

	// Job 1, main: nothing to restore yet.
	m := newFakeEnv(t).inputs(in).input("save_on", "post", true)
	m.mustRun("main", false)
	if got := m.outputs()["cache_hit"]; got != "false" {
		t.Errorf("first job cache_hit = %q, want false", got)
	}
	if got := m.state()[statePost]; got != "save" {
		t.Errorf("state post = %q, want save", got)
	}
	// Job 1, post after success: saves.
	p := m.post("success")
	p.mustRun("post", true)
	saved := p.outputs()["snapshot_id"]
	if !hexID.MatchString(saved) {
		t.Fatalf("post saved no snapshot: outputs %v\n%s", p.outputs(), p.log.String())
	}
	p.assertNoSecret(testPassword)

	// Job 2 starts from a clean workspace: the main step restores.
	if err := os.RemoveAll(filepath.Join(ws, "data")); err != nil {
		t.Fatal(err)
	}
	m2 := newFakeEnv(t).inputs(in).input("save_on", "post")
	m2.mustRun("main 2", false)
	if got := m2.outputs()["cache_hit"]; got != "true" {
		t.Errorf("second job cache_hit = %q, want true", got)
	}
	if got := m2.outputs()["snapshot_id"]; got != saved {
		t.Errorf("restored %q, want %q", got, saved)
	}
	if got := testrepo.ReadFile(t, filepath.Join(ws, "data/a.txt")); got != "alpha\n" {
		t.Errorf("restored data/a.txt = %q", got)
	}
	// Job 2 fails: the post step does not save.
	testrepo.WriteFile(t, ws, "data/a.txt", []byte("half-built\n"))
	p2 := m2.post("failure")
	p2.mustRun("post 2", true)
	if id := p2.outputs()["snapshot_id"]; id != "" {
		t.Errorf("post step saved %s after a failed job", id)
	}
	if !strings.Contains(p2.log.String(), "not saving") {
		t.Errorf("post log does not say why nothing was saved:\n%s", p2.log.String())
	}
}

// TestOnFailureRollback: a save with on_failure: rollback arms the post
// step; after a failed job it puts the files back, after a successful one
// it does nothing.
func TestOnFailureRollback(t *testing.T) {
	ws := workspace(t)
	m := newFakeEnv(t).inputs(repoInputs(t, map[string]string{"paths": "data", "name": "production"}))
	m.input("on_failure", "rollback", true)
	m.mustRun("main", false)
	id := m.outputs()["snapshot_id"]
	st := m.state()
	if st[statePost] != "rollback" || st[stateSnapshot] != id {
		t.Fatalf("state = %v, want post=rollback snapshot=%s", st, id)
	}

	// The deploy breaks the files, then the job succeeds: no rollback.
	testrepo.WriteFile(t, ws, "data/a.txt", []byte("migrated\n"))
	ok := m.post("success")
	ok.mustRun("post (success)", true)
	if got := testrepo.ReadFile(t, filepath.Join(ws, "data/a.txt")); got != "migrated\n" {
		t.Errorf("post step changed files after a successful job: %q", got)
	}

	// The job fails: the post step rolls back.
	failed := m.post("failure")
	failed.mustRun("post (failure)", true)
	if got := testrepo.ReadFile(t, filepath.Join(ws, "data/a.txt")); got != "alpha\n" {
		t.Errorf("after rollback data/a.txt = %q, want alpha", got)
	}
	if !strings.Contains(failed.log.String(), "rolling back::the job failed: rolling back to "+id[:8]) {
		t.Errorf("no rollback annotation:\n%s", failed.log.String())
	}
	if !strings.Contains(failed.summary(), id[:8]) {
		t.Errorf("rollback summary lacks the snapshot:\n%s", failed.summary())
	}
	failed.assertNoSecret(testPassword)
}

// TestPostWithoutState: a post step whose main step armed nothing (it
// failed early, or ran a command without a post phase) does nothing.
func TestPostWithoutState(t *testing.T) {
	workspace(t)
	p := newFakeEnv(t).inputs(map[string]string{"repository": t.TempDir(), "password": testPassword, "paths": "data", "job_status": "failure"})
	p.mustRun("post", true)
	if !strings.Contains(p.log.String(), "nothing to do") || p.summary() != "" {
		t.Errorf("post step without state did something:\n%s", p.log.String())
	}
}

// TestCheckpointRollback: a checkpoint of files and a command's output
// with on_failure: rollback; after a failed job the post step runs the
// rollback command, which restores the files and pipes the dump into its
// restore command. A build without checkpoint refuses the command with one
// clear line instead.
func TestCheckpointRollback(t *testing.T) {
	ws := workspace(t)
	testrepo.WriteFile(t, ws, "state/db.txt", []byte("rows: 1 2 3\n"))
	m := newFakeEnv(t).inputs(repoInputs(t, map[string]string{
		"command": "checkpoint", "name": "production", "paths": "data",
		"commands": "db=cat state/db.txt", "restore_commands": "db=cat > state/db.txt", "on_failure": "rollback",
	}))
	m.mustRun("checkpoint", false)
	id := m.outputs()["snapshot_id"]
	if !hexID.MatchString(id) || m.state()[stateSnapshot] != id {
		t.Fatalf("snapshot_id %q, state %v", id, m.state())
	}
	if sum := m.summary(); !strings.Contains(sum, "saved checkpoint `"+id[:8]+"` (production)") || !strings.Contains(sum, "command db") {
		t.Errorf("checkpoint summary:\n%s", sum)
	}

	// The deploy migrates the database and changes files, then fails.
	testrepo.WriteFile(t, ws, "state/db.txt", []byte("rows: migrated\n"))
	testrepo.WriteFile(t, ws, "data/a.txt", []byte("v2\n"))
	p := m.post("failure")
	p.mustRun("post", true)
	if got := testrepo.ReadFile(t, filepath.Join(ws, "state/db.txt")); got != "rows: 1 2 3\n" {
		t.Errorf("database after rollback: %q", got)
	}
	if got := testrepo.ReadFile(t, filepath.Join(ws, "data/a.txt")); got != "alpha\n" {
		t.Errorf("data/a.txt after rollback: %q", got)
	}
	if sum := p.summary(); !strings.Contains(sum, "### savepoint rollback to `"+id[:8]+"` (production): done") || !strings.Contains(sum, "| done |") {
		t.Errorf("rollback summary:\n%s", sum)
	}
	if got := p.outputs()["snapshot_id"]; got != id {
		t.Errorf("rollback snapshot_id = %q, want %q", got, id)
	}
	if !strings.Contains(p.log.String(), "::group::savepoint rollback") {
		t.Errorf("post step did not run rollback:\n%s", p.log.String())
	}
	p.assertNoSecret(testPassword)
}
