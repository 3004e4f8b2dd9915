package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// TestDronePromoteRollback: a checkpoint on Drone's promote event (files and
// a command's output), a bad deploy, then the rollback event puts both back,
// with no command setting at all.
func TestDronePromoteRollback(t *testing.T) {
	ws := newWorkspace(t)
	state := t.TempDir()
	db := filepath.Join(state, "db.txt")
	logo := testrepo.Random(64 << 10)
	testrepo.WriteFile(t, ws, "uploads/logo.png", logo)
	if err := os.WriteFile(db, []byte("rows before the deploy\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	base := map[string]string{
		"DRONE": "true", "DRONE_REPO": "acme/shop", "DRONE_DEPLOY_TO": "production", "DRONE_WORKSPACE": ws,
		"PLUGIN_REPOSITORY": filepath.Join(t.TempDir(), "repo"), "PLUGIN_PASSWORD": password,
	}
	ckpt := step{dir: ws, env: merge(base, map[string]string{
		"DRONE_BUILD_EVENT": "promote", "DRONE_COMMIT_SHA": "1111111111111111111111111111111111111111",
		"PLUGIN_INIT": "true", "PLUGIN_PATHS": "uploads",
		"PLUGIN_COMMANDS":         `{"db":"cat '` + db + `'"}`,
		"PLUGIN_RESTORE-COMMANDS": `{"db":"cat > '` + db + `'"}`,
	})}.run(t).mustOK(t)
	ckpt.noSecrets(t, password)
	if ckpt.get("command") != "checkpoint" || ckpt.get("name") != "production" || ckpt.get("output", "checkpoint") != true {
		t.Fatalf("promote should checkpoint production: %s", ckpt.resultRaw)
	}
	if srcs, _ := ckpt.get("output", "sources").([]any); len(srcs) != 1 {
		t.Errorf("sources = %v", ckpt.get("output", "sources"))
	}

	// The deploy breaks things.
	testrepo.WriteFile(t, ws, "uploads/logo.png", []byte("broken"))
	testrepo.WriteFile(t, ws, "uploads/new.txt", []byte("new"))
	os.WriteFile(db, []byte("rows after a bad migration\n"), 0o644)

	// Dry run first: nothing changes.
	dry := step{dir: ws, env: merge(base, map[string]string{"DRONE_BUILD_EVENT": "rollback", "PLUGIN_DRY_RUN": "true"})}.run(t).mustOK(t)
	if dry.get("command") != "rollback" || dry.get("snapshot") != ckpt.get("snapshot") || testrepo.ReadFile(t, db) != "rows after a bad migration\n" {
		t.Errorf("dry run: %s", dry.resultRaw)
	}

	rb := step{dir: ws, env: merge(base, map[string]string{"DRONE_BUILD_EVENT": "rollback", "DRONE_COMMIT_SHA": "1111111111111111111111111111111111111111"})}.run(t).mustOK(t)
	rb.noSecrets(t, password)
	if rb.get("command") != "rollback" || rb.get("name") != "production" || rb.get("snapshot") != ckpt.get("snapshot") {
		t.Errorf("rollback result: %s", rb.resultRaw)
	}
	if got := testrepo.ReadFile(t, db); got != "rows before the deploy\n" {
		t.Errorf("db after rollback: %q", got)
	}
	if !strings.Contains(rb.stdout, "rolled back to "+ckpt.get("snapshot").(string)[:8]+" (production)") {
		t.Errorf("stdout: %s", rb.stdout)
	}
	if got := testrepo.ReadFile(t, filepath.Join(ws, "uploads/logo.png")); got != string(logo) {
		t.Errorf("uploads/logo.png was not rolled back (%d bytes)", len(got))
	}
}

// TestWoodpeckerDeploymentRollback: Woodpecker's deployment event checkpoints;
// the same event with the task rollback rolls back to it.
func TestWoodpeckerDeploymentRollback(t *testing.T) {
	ws := newWorkspace(t)
	testrepo.WriteFile(t, ws, "config/app.yaml", []byte("replicas: 3\n"))
	base := map[string]string{
		"CI": "woodpecker", "CI_REPO": "acme/shop", "CI_PIPELINE_EVENT": "deployment", "CI_PIPELINE_DEPLOY_TARGET": "staging",
		"CI_WORKSPACE": ws, "PLUGIN_REPOSITORY": filepath.Join(t.TempDir(), "repo"), "PLUGIN_PASSWORD": password,
	}
	ckpt := step{dir: ws, env: merge(base, map[string]string{"CI_PIPELINE_DEPLOY_TASK": "deploy", "PLUGIN_INIT": "true", "PLUGIN_PATHS": "config"})}.run(t).mustOK(t)
	if ckpt.get("command") != "checkpoint" || ckpt.get("name") != "staging" {
		t.Fatalf("deployment should checkpoint staging: %s", ckpt.resultRaw)
	}
	testrepo.WriteFile(t, ws, "config/app.yaml", []byte("replicas: 0\n"))
	rb := step{dir: ws, env: merge(base, map[string]string{"CI_PIPELINE_DEPLOY_TASK": "rollback"})}.run(t).mustOK(t)
	rb.noSecrets(t, password)
	if rb.get("command") != "rollback" || rb.get("snapshot") != ckpt.get("snapshot") {
		t.Errorf("rollback: %s", rb.resultRaw)
	}
	if got := testrepo.ReadFile(t, filepath.Join(ws, "config/app.yaml")); got != "replicas: 3\n" {
		t.Errorf("config after rollback: %q", got)
	}
}

// TestRetention runs forget, prune and verify as scheduled steps.
func TestRetention(t *testing.T) {
	ws := newWorkspace(t)
	base := map[string]string{"CI": "woodpecker", "CI_PIPELINE_EVENT": "cron", "CI_WORKSPACE": ws,
		"PLUGIN_REPOSITORY": filepath.Join(t.TempDir(), "repo"), "PLUGIN_PASSWORD": password}
	var last string
	for i := 0; i < 3; i++ {
		testrepo.WriteFile(t, ws, "node_modules/gen.js", testrepo.Random(100<<10))
		r := step{dir: ws, env: merge(base, map[string]string{"PLUGIN_INIT": "true", "PLUGIN_NAME": "deps", "PLUGIN_PATHS": "node_modules"})}.run(t).mustOK(t)
		last, _ = r.get("snapshot").(string)
	}
	dry := step{dir: ws, env: merge(base, map[string]string{"PLUGIN_COMMAND": "forget", "PLUGIN_KEEP_LAST": "1", "PLUGIN_DRY_RUN": "true"})}.run(t).mustOK(t)
	if dry.get("output", "dry_run") != true || !strings.Contains(dry.stdout, "forget (dry run): would keep 1, remove 2") {
		t.Errorf("forget dry run: %s", dry.stdout)
	}
	f := step{dir: ws, env: merge(base, map[string]string{"PLUGIN_COMMAND": "forget", "PLUGIN_KEEP_LAST": "1", "PLUGIN_NAME": "deps"})}.run(t).mustOK(t)
	if f.num("output", "removed") != 2 || !strings.Contains(f.stdout, "forget: kept 1, removed 2") {
		t.Errorf("forget: %s", f.resultRaw)
	}
	p := step{dir: ws, env: merge(base, map[string]string{"PLUGIN_COMMAND": "prune", "PLUGIN_GRACE": "1s", "PLUGIN_MAX_UNUSED": "0%"})}.run(t).mustOK(t)
	if p.num("output", "snapshots") != 1 {
		t.Errorf("prune: %s", p.resultRaw)
	}
	v := step{dir: ws, env: merge(base, map[string]string{"PLUGIN_COMMAND": "verify", "PLUGIN_READ_DATA_SUBSET": "100%"})}.run(t).mustOK(t)
	if probs, _ := v.get("output", "problems").([]any); len(probs) != 0 || v.num("output", "snapshots") != 1 {
		t.Errorf("verify: %s", v.resultRaw)
	}
	v.noSecrets(t, password)
	r := step{dir: ws, env: merge(base, map[string]string{"PLUGIN_COMMAND": "restore", "PLUGIN_NAME": "deps", "PLUGIN_TARGET": "out"})}.run(t).mustOK(t)
	if r.get("snapshot") != last {
		t.Errorf("restore after prune: %v, want %s", r.get("snapshot"), last)
	}
	if diff := testrepo.Equal(t, filepath.Join(ws, "node_modules"), filepath.Join(ws, "out", "node_modules")); diff != "" {
		t.Errorf("restore after prune: %s", diff)
	}
}
