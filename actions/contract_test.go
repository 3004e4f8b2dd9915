package main

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/savepoint-ci/savepoint/internal/doctest"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

const testPassword = "correct-horse-battery-staple"

var hexID = regexp.MustCompile(`^[0-9a-f]{64}$`)

// workspace makes a job workspace with a few files and makes it the
// working directory, as the runner does (/github/workspace).
func workspace(t *testing.T) string {
	t.Helper()
	ws := t.TempDir()
	testrepo.WriteFile(t, ws, "data/a.txt", []byte("alpha\n"))
	testrepo.WriteFile(t, ws, "data/b.bin", testrepo.Random(300<<10))
	testrepo.WriteFile(t, ws, "data/sub/c.txt", []byte("gamma\n"))
	testrepo.WriteFile(t, ws, "config.json", []byte(`{"v":1}`))
	testrepo.WriteFile(t, ws, "data/skip.log", []byte("noise"))
	t.Chdir(ws)
	return ws
}

// repoInputs are the inputs of a new local repository in the test's
// temporary directory (repository, password), with more added.
func repoInputs(t *testing.T, more map[string]string) map[string]string {
	in := map[string]string{"repository": filepath.Join(t.TempDir(), "repo"), "password": testPassword}
	maps.Copy(in, more)
	return in
}

// contract runs the save -> change -> save -> restore contract against a
// repository location with extra inputs (S3 settings).
func contract(t *testing.T, repo string, extra map[string]string, secrets ...string) {
	ws := workspace(t)
	secrets = append(secrets, testPassword)

	// First save: creates the repository. Inputs in both forms.
	f := newFakeEnv(t).inputs(extra).inputs(map[string]string{
		"repository": repo, "paths": "data\nconfig.json", "name": "app", "tags": "ci, nightly",
	})
	f.input("command", "save").input("password", testPassword, true).input("exclude", "*.log", true)
	f.withDefaults("success")
	f.mustRun("save", false)
	out := f.outputs()
	if !hexID.MatchString(out["snapshot_id"]) {
		t.Errorf("snapshot_id = %q", out["snapshot_id"])
	}
	if out["files"] != "4" {
		t.Errorf("files = %q, want 4 (skip.log excluded)", out["files"])
	}
	for _, k := range []string{"bytes_new", "bytes_total", "requests"} {
		if n, err := strconv.ParseInt(out[k], 10, 64); err != nil || n <= 0 {
			t.Errorf("output %s = %q, want a positive number", k, out[k])
		}
	}
	if _, err := strconv.ParseFloat(out["dedup_ratio"], 64); err != nil {
		t.Errorf("dedup_ratio = %q", out["dedup_ratio"])
	}
	sum := f.summary()
	for _, want := range []string{"saved snapshot `" + out["snapshot_id"][:8] + "` (app)", "| Files | 4 (0 unchanged", "first snapshot", "command: restore", "commit `01234567`", "actions/runs/4242"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
	checkSummaryExample(t, sum)
	for _, g := range []string{"::group::savepoint save", "::group::savepoint init"} {
		if !strings.Contains(f.log.String(), g) {
			t.Errorf("log lacks group %q", g)
		}
	}
	if strings.Count(f.log.String(), "::group::") != strings.Count(f.log.String(), "::endgroup::") {
		t.Errorf("unbalanced groups:\n%s", f.log.String())
	}
	f.assertNoSecret(append(secrets, fakeToken)...)
	first := out["snapshot_id"]

	// Change the workspace; the second save has a parent and lists changes.
	testrepo.WriteFile(t, ws, "data/a.txt", []byte("alpha, changed\n"))
	testrepo.WriteFile(t, ws, "data/new.txt", []byte("new\n"))
	if err := os.Remove(filepath.Join(ws, "data/sub/c.txt")); err != nil {
		t.Fatal(err)
	}
	g := newFakeEnv(t).inputs(extra).inputs(map[string]string{
		"repository": repo, "paths": "data, config.json", "name": "app", "password": testPassword, "exclude": "*.log",
	})
	g.mustRun("second save", false)
	sum = g.summary()
	for _, want := range []string{"Changes since `" + first[:8] + "`:** 1 added, 1 removed, 1 modified", "+ data/new.txt", "- data/sub/c.txt", "M data/a.txt"} {
		if !strings.Contains(sum, want) {
			t.Errorf("second summary lacks %q:\n%s", want, sum)
		}
	}
	if strings.Contains(g.log.String(), "::group::savepoint init") {
		t.Errorf("second save initialised the repository again")
	}
	g.assertNoSecret(secrets...)
	second := g.outputs()["snapshot_id"]

	// Restore the first snapshot into a directory: the files of then.
	target := t.TempDir()
	r := newFakeEnv(t).inputs(extra).inputs(map[string]string{
		"command": "restore", "repository": repo, "password": testPassword, "snapshot": first[:12], "target": target,
	})
	r.mustRun("restore", false)
	if got := r.outputs()["snapshot_id"]; got != first {
		t.Errorf("restore snapshot_id = %q, want %q", got, first)
	}
	b, err := os.ReadFile(filepath.Join(target, "data/a.txt"))
	if err != nil || string(b) != "alpha\n" {
		t.Errorf("restored data/a.txt = %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(target, "data/sub/c.txt")); err != nil {
		t.Errorf("restored snapshot lacks data/sub/c.txt: %v", err)
	}
	if _, err := os.Stat(filepath.Join(target, "data/skip.log")); err == nil {
		t.Errorf("excluded data/skip.log was restored")
	}
	r.assertNoSecret(secrets...)

	// snapshots: the newest is the second save.
	s := newFakeEnv(t).inputs(extra).inputs(map[string]string{"command": "snapshots", "repository": repo, "password": testPassword, "name": "app"})
	s.mustRun("snapshots", false)
	if got := s.outputs()["snapshot_id"]; got != second {
		t.Errorf("snapshots snapshot_id = %q, want the newest %q", got, second)
	}
	if !strings.Contains(s.summary(), "2 snapshot(s)") {
		t.Errorf("snapshots summary:\n%s", s.summary())
	}
	s.assertNoSecret(secrets...)
}

func TestContractLocal(t *testing.T) {
	contract(t, filepath.Join(t.TempDir(), "repo"), nil)
}

// checkSummaryExample parses the restore example of a save's summary and
// runs its inputs through the entrypoint's validation.
func checkSummaryExample(t *testing.T, sum string) {
	t.Helper()
	m := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindStringSubmatch(sum)
	if m == nil {
		t.Fatalf("summary has no yaml example:\n%s", sum)
	}
	var steps []doctest.WorkflowStep
	if err := yaml.Unmarshal([]byte(m[1]), &steps); err != nil || len(steps) != 1 {
		t.Fatalf("summary example: %v\n%s", err, m[1])
	}
	env := map[string]string{}
	for k, v := range steps[0].With {
		env["INPUT_"+strings.ToUpper(k)] = v
	}
	if c, err := parseConfig(inputReader{getenv: func(k string) string { return env[k] }}); err != nil || c.command != "restore" {
		t.Errorf("summary example: %v, %+v", err, steps[0].With)
	}
}
