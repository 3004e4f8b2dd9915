package engine

import (
	"regexp"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/doctest"
)

var savedLine = regexp.MustCompile(`saved (\d+) files \((\d+) bytes\) as ([0-9a-f]{64})`)

// TestGitHubBuildRestore: a save, then a later step reading its outputs;
// the snapshot restored by a fresh job from the first job's output.
func TestGitHubBuildRestore(t *testing.T) {
	t.Parallel()
	p := newGitHubProject(t, nil, docWorkflows(t, map[string]string{"build.yml": "Build once, restore in a fresh job"}))
	r := p.act(t, "build.yml")
	if r.code != 0 {
		t.Fatalf("the build workflow failed (exit %d)", r.code)
	}
	m := savedLine.FindStringSubmatch(stepLog(r.output(), "build/build"))
	if m == nil || m[1] != "2" || m[2] != "716808" {
		t.Fatalf("the step after the save did not read its outputs (files 2, bytes 716808): %q", m)
	}
	test := jobLog(r.output(), "build/test")
	if !strings.Contains(test, "| dist matches src") {
		t.Errorf("the test job did not restore dist:\n%s", test)
	}
	if !strings.Contains(test, "::set-output:: snapshot_id="+m[3]) {
		t.Errorf("the test job did not restore the build job's snapshot %s:\n%s", m[3], test)
	}
}

// TestGitHubCheckpointRollback: a checkpoint, a deploy step that fails and
// an `if: failure()` step that rolls back; the job fails, the files are back.
func TestGitHubCheckpointRollback(t *testing.T) {
	t.Parallel()
	p := newGitHubProject(t, nil, docWorkflows(t, map[string]string{"deploy.yml": "Checkpoint, deploy, roll back when the deploy fails"}))
	r := p.act(t, "deploy.yml")
	out := r.output()
	if r.code == 0 || !strings.Contains(out, "Job failed") {
		t.Fatalf("the deploy job did not fail (exit %d)", r.code)
	}
	for _, want := range []string{"Failure - Main deploy", "Success - Main roll back", "Success - Main show the deployed configuration"} {
		if !strings.Contains(out, want) {
			t.Errorf("act's log lacks %q", want)
		}
	}
	log := stepLog(out, "deploy/deploy")
	if !strings.Contains(log, "version=1") || strings.Contains(log[strings.LastIndex(log, "version="):], "version=2") {
		t.Errorf("after the rollback the configuration is not version=1 again:\n%s", log)
	}
}

// TestGitHubCacheOnPost: the `save_on: post` workflow. The first run
// misses, fetches the dependencies, and its post step (run by act with the
// main step's state, as GitHub does) saves them; the next run hits,
// restores them and skips the fetch.
func TestGitHubCacheOnPost(t *testing.T) {
	t.Parallel()
	p := newGitHubProject(t, nil, docWorkflows(t, map[string]string{"cache.yml": "A dependency cache saved in the post step"}))
	first := p.act(t, "cache.yml")
	log := jobLog(first.output(), "cache/build")
	if first.code != 0 || !strings.Contains(log, "::set-output:: cache_hit=false") || !strings.Contains(log, "| fetched the dependencies") {
		t.Fatalf("first run: exit %d, want a miss and the fetch:\n%s", first.code, log)
	}
	if !regexp.MustCompile(`::set-output:: snapshot_id=[0-9a-f]{64}`).MatchString(log) || !strings.Contains(log, "Success - Post ") {
		t.Fatalf("the first run's post step did not save the dependencies:\n%s", log)
	}

	second := p.act(t, "cache.yml")
	log = jobLog(second.output(), "cache/build")
	if second.code != 0 || !strings.Contains(log, "::set-output:: cache_hit=true") || strings.Contains(log, "fetched the dependencies") ||
		!strings.Contains(log, "| built with deps 1.0") {
		t.Errorf("second run: exit %d, want a hit, no fetch, a build with the restored deps:\n%s", second.code, log)
	}
}

// docWorkflows reads workflows from docs/github.md: file name -> heading.
func docWorkflows(t *testing.T, headings map[string]string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for file, heading := range headings {
		out[file] = doctest.Under(t, "docs/github.md", heading, "yaml")[0]
	}
	return out
}
