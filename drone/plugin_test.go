package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/cli"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

const password = "correct-horse-battery-staple-42"

// newWorkspace makes a workspace with a few files worth saving.
func newWorkspace(t *testing.T) string {
	t.Helper()
	ws := t.TempDir()
	testrepo.WriteFile(t, ws, "node_modules/left-pad/index.js", []byte("module.exports = pad\n"))
	testrepo.WriteFile(t, ws, "node_modules/big/blob.bin", testrepo.Random(3<<20))
	testrepo.WriteFile(t, ws, ".cache/build/obj.o", testrepo.Random(200<<10))
	testrepo.WriteFile(t, ws, ".cache/build/debug.log", []byte("noise\n"))
	testrepo.WriteFile(t, ws, "src/main.go", []byte("package main\n"))
	return ws
}

// TestWoodpeckerLocalBackend runs save, save again and restore as
// Woodpecker's local backend would: snake_case settings, CI_* metadata.
func TestWoodpeckerLocalBackend(t *testing.T) {
	ws := newWorkspace(t)
	repo := filepath.Join(t.TempDir(), "repo")
	base := map[string]string{
		"CI": "woodpecker", "CI_REPO": "acme/shop", "CI_COMMIT_SHA": "0123456789abcdef0123456789abcdef01234567",
		"CI_COMMIT_BRANCH": "main", "CI_PIPELINE_NUMBER": "41", "CI_PIPELINE_EVENT": "push", "CI_WORKSPACE": ws,
		"PLUGIN_REPOSITORY": repo, "PLUGIN_PASSWORD": password, "PLUGIN_INIT": "true",
		"PLUGIN_NAME": "deps", "PLUGIN_PATHS": "node_modules,.cache", "PLUGIN_TAGS": "ci,main",
	}
	first := step{dir: ws, env: base}.run(t).mustOK(t)
	first.noSecrets(t, password)
	if first.get("command") != "save" || first.num("exit_code") != 0 || first.get("name") != "deps" {
		t.Errorf("result: %s", first.resultRaw)
	}
	id, _ := first.get("snapshot").(string)
	if len(id) != 64 || first.get("output", "id") != id {
		t.Errorf("snapshot id %q, output id %v", id, first.get("output", "id"))
	}
	if first.get("metadata", "platform") != "woodpecker" || first.get("metadata", "event") != "push" || first.get("metadata", "build") != "41" {
		t.Errorf("metadata: %v", first.get("metadata"))
	}
	if first.num("output", "stats", "files") != 4 || !strings.Contains(first.stdout, "saved snapshot "+id[:8]+" (deps)") {
		t.Errorf("stats %v; stdout %q", first.get("output", "stats"), first.stdout)
	}
	if tags, _ := first.get("output", "tags").([]any); len(tags) != 2 {
		t.Errorf("tags = %v", first.get("output", "tags"))
	}

	// A second run (init: true again) uses the first as its parent.
	testrepo.WriteFile(t, ws, "node_modules/new/x.js", []byte("x\n"))
	second := step{dir: ws, env: base}.run(t).mustOK(t)
	second.noSecrets(t, password)
	if second.num("output", "stats", "files_unchanged") != 4 || second.get("output", "parent") != id {
		t.Errorf("second save: parent %v, stats %v", second.get("output", "parent"), second.get("output", "stats"))
	}

	// Restore deps:latest into a fresh directory.
	restore := step{dir: ws, env: merge(base, map[string]string{"PLUGIN_COMMAND": "restore", "PLUGIN_TARGET": "restored", "PLUGIN_INIT": ""})}.run(t).mustOK(t)
	restore.noSecrets(t, password)
	if restore.get("snapshot") != second.get("snapshot") {
		t.Errorf("restored %v, want the newest snapshot %v", restore.get("snapshot"), second.get("snapshot"))
	}
	for _, dir := range []string{"node_modules", ".cache"} {
		if diff := testrepo.Equal(t, filepath.Join(ws, dir), filepath.Join(ws, "restored", dir)); diff != "" {
			t.Errorf("restored %s: %s", dir, diff)
		}
	}
	if restore.num("output", "result", "files") != 5 {
		t.Errorf("restore result: %v", restore.get("output"))
	}
}

// TestDroneEncoding passes settings the way Drone's runner encodes them:
// hyphens kept in keys, lists comma-joined or as JSON, DRONE_* metadata,
// and a working directory that is not the workspace.
func TestDroneEncoding(t *testing.T) {
	ws := newWorkspace(t)
	repo := filepath.Join(t.TempDir(), "repo")
	base := map[string]string{
		"DRONE": "true", "DRONE_REPO": "acme/shop", "DRONE_COMMIT_SHA": "fedcba9876543210fedcba9876543210fedcba98",
		"DRONE_BUILD_NUMBER": "7", "DRONE_BUILD_EVENT": "push", "DRONE_WORKSPACE": ws,
		"PLUGIN_REPOSITORY": repo, "PLUGIN_PASSWORD": password, "PLUGIN_INIT": "true",
		"PLUGIN_PATHS": "node_modules,.cache", "PLUGIN_EXCLUDE": `["*.log","node_modules/big"]`, "PLUGIN_NO-PARENT": "true",
		"PLUGIN_TAGS": "drone,build-7",
	}
	elsewhere := t.TempDir()
	save := step{dir: elsewhere, env: base}.run(t).mustOK(t)
	save.noSecrets(t, password)
	if save.get("metadata", "platform") != "drone" || save.get("metadata", "commit") != base["DRONE_COMMIT_SHA"] {
		t.Errorf("metadata: %v", save.get("metadata"))
	}
	if save.num("output", "stats", "files") != 2 {
		t.Errorf("excludes not applied: stats %v", save.get("output", "stats"))
	}
	// no-parent (hyphen form) reads everything again.
	again := step{dir: elsewhere, env: base}.run(t).mustOK(t)
	if again.num("output", "stats", "files_unchanged") != 0 || again.get("output", "parent") != nil {
		t.Errorf("no-parent ignored: %v", again.get("output", "stats"))
	}
	if again.stderr != "" {
		t.Errorf("init: true on an existing repository should be quiet, stderr: %q", again.stderr)
	}

	restore := step{dir: elsewhere, env: merge(base, map[string]string{
		"PLUGIN_COMMAND": "restore", "PLUGIN_TARGET": "out", "PLUGIN_INCLUDE": "node_modules/**", "PLUGIN_INIT": "",
		"PLUGIN_PATHS": "", "PLUGIN_EXCLUDE": "", "PLUGIN_NO-PARENT": "", "PLUGIN_TAGS": "",
	})}.run(t).mustOK(t)
	restore.noSecrets(t, password)
	got, err := os.ReadFile(filepath.Join(ws, "out", "node_modules/left-pad/index.js"))
	if err != nil || string(got) != "module.exports = pad\n" {
		t.Errorf("restored file: %q, %v", got, err)
	}
	for _, gone := range []string{"node_modules/big/blob.bin", ".cache/build/obj.o"} {
		if _, err := os.Stat(filepath.Join(ws, "out", gone)); !os.IsNotExist(err) {
			t.Errorf("%s should not be restored: %v", gone, err)
		}
	}
}

// TestFailures checks exit codes, one-line errors in result.json, and that
// credentials never show, whatever goes wrong.
func TestFailures(t *testing.T) {
	ws := newWorkspace(t)
	repo := filepath.Join(t.TempDir(), "repo")
	base := map[string]string{"PLUGIN_REPOSITORY": repo, "PLUGIN_PASSWORD": password, "PLUGIN_PATHS": "src", "CI_WORKSPACE": ws}

	// No repository there yet, and no init: an error, nothing saved.
	missing := step{dir: ws, env: base}.run(t)
	if missing.code != cli.ExitNoRepository || missing.get("status") != "no_repository" || missing.get("error") == "" || missing.get("output") != nil {
		t.Errorf("missing repository: exit %d, result %s", missing.code, missing.resultRaw)
	}
	missing.noSecrets(t, password)

	step{dir: ws, env: merge(base, map[string]string{"PLUGIN_COMMAND": "init"})}.run(t).mustOK(t)

	// The wrong password is reported, and neither password is printed.
	wrong := "not-the-password-" + password[:6]
	bad := step{dir: ws, env: merge(base, map[string]string{"PLUGIN_PASSWORD": wrong})}.run(t)
	if bad.code != cli.ExitPassword || bad.get("status") != "password" || !strings.Contains(bad.get("error").(string), "wrong password") {
		t.Errorf("wrong password: exit %d, result %s", bad.code, bad.resultRaw)
	}
	bad.noSecrets(t, password, wrong)

	// Bad settings: exit 2 with status usage, before touching anything.
	for name, env := range map[string]map[string]string{
		"unknown command": {"PLUGIN_COMMAND": "backup"},
		"bad bool":        {"PLUGIN_NO_PARENT": "perhaps"},
		"bad list":        {"PLUGIN_PATHS": `["src"`},
		"lone key":        {"PLUGIN_S3_SECRET_KEY": "s3-secret-value-xyz"},
	} {
		r := step{dir: ws, env: merge(base, env)}.run(t)
		if r.code != 2 || r.get("status") != "usage" || r.get("error") == "" || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%s: exit %d, stderr %q, result %s", name, r.code, r.stderr, r.resultRaw)
		}
		r.noSecrets(t, password, "s3-secret-value-xyz")
	}

	// A path that does not exist fails the save.
	r := step{dir: ws, env: merge(base, map[string]string{"PLUGIN_PATHS": "src,nope"})}.run(t)
	if r.code == 0 || r.get("status") == "ok" {
		t.Errorf("missing path: exit %d, result %s", r.code, r.resultRaw)
	}
}

// TestPasswordFile reads the password from a file instead of a secret.
func TestPasswordFile(t *testing.T) {
	ws := newWorkspace(t)
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PLUGIN_REPOSITORY": filepath.Join(t.TempDir(), "repo"), "PLUGIN_PASSWORD_FILE": pw,
		"PLUGIN_INIT": "true", "PLUGIN_PATHS": "src", "PLUGIN_QUIET": "true"}
	r := step{dir: ws, env: env}.run(t).mustOK(t)
	r.noSecrets(t, password)
}
