package engine

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var savedLine = regexp.MustCompile(`saved (\d+) files \((\d+) bytes\) as ([0-9a-f]{64})`)

// TestGitHubBuildRestore: a save, then a later step reading its outputs;
// the snapshot restored by a fresh job from the first job's output.
func TestGitHubBuildRestore(t *testing.T) {
	t.Parallel()
	p := newGitHubProject(t, map[string]string{"build.yml": "Build once, restore in a fresh job"})
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
	p := newGitHubProject(t, map[string]string{"deploy.yml": "Checkpoint, deploy, roll back when the deploy fails"})
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

// TestGitHubCacheOnPost: the `save_on: post` workflow. Under act the first
// run misses and fetches; act passes the post step no state, so the job's
// post step is played by the runner of github_runner_test.go (main step,
// the fetch, post step after success: it saves); the next act run hits,
// restores and skips the fetch.
func TestGitHubCacheOnPost(t *testing.T) {
	t.Parallel()
	heading := "A dependency cache saved in the post step"
	p := newGitHubProject(t, map[string]string{"cache.yml": heading})
	first := p.act(t, "cache.yml")
	log := jobLog(first.output(), "cache/build")
	if first.code != 0 || !strings.Contains(log, "::set-output:: cache_hit=false") || !strings.Contains(log, "| fetched the dependencies") {
		t.Fatalf("first run: exit %d, want a miss and the fetch:\n%s", first.code, log)
	}

	ws := t.TempDir()
	if out := command(t, nil, "git", "clone", "-q", p.dir, ws); out.code != 0 {
		t.Fatalf("git clone: %s", out.output())
	}
	g := newGitHubRunner(t, ws, p.vars, p.env, stepWith(t, yamlUnder(t, "docs/github.md", heading)[0], "deps"))
	main := g.main(t)
	if main.code != 0 || main.outputs["cache_hit"] != "false" || len(main.state) == 0 {
		t.Fatalf("main step: exit %d, outputs %v, state %v", main.code, main.outputs, main.state)
	}
	if r := commandIn(t, ws, nil, "sh", "fetch-deps.sh"); r.code != 0 {
		t.Fatalf("fetch-deps.sh: %s", r.output())
	}
	post := g.post(t, "success")
	if post.code != 0 || len(post.outputs["snapshot_id"]) != 64 {
		t.Fatalf("post step after success: exit %d, outputs %v", post.code, post.outputs)
	}

	second := p.act(t, "cache.yml")
	log = jobLog(second.output(), "cache/build")
	if second.code != 0 || !strings.Contains(log, "::set-output:: cache_hit=true") || strings.Contains(log, "fetched the dependencies") ||
		!strings.Contains(log, "| built with deps 1.0") {
		t.Errorf("second run: exit %d, want a hit, no fetch, a build with the restored deps:\n%s", second.code, log)
	}
}

// TestGitHubOnFailureRollback: the deploy workflow's checkpoint step with
// on_failure: rollback, run as GitHub's runner runs main and post: after a
// successful job the post step leaves the files; after a failed one it puts
// them back.
func TestGitHubOnFailureRollback(t *testing.T) {
	t.Parallel()
	p := newGitHubProject(t, nil)
	with := stepWith(t, yamlUnder(t, "docs/github.md", "Checkpoint, deploy, roll back when the deploy fails")[0], "checkpoint")
	with["on_failure"] = "rollback"
	ws := t.TempDir()
	if out := command(t, nil, "git", "clone", "-q", p.dir, ws); out.code != 0 {
		t.Fatalf("git clone: %s", out.output())
	}
	g := newGitHubRunner(t, ws, p.vars, p.env, with)
	if main := g.main(t); main.code != 0 || len(main.outputs["snapshot_id"]) != 64 {
		t.Fatalf("checkpoint: exit %d, outputs %v", main.code, main.outputs)
	}
	conf := func() string {
		b, _ := os.ReadFile(filepath.Join(ws, "deploy", "config", "app.env"))
		return string(b)
	}
	if r := commandIn(t, ws, nil, "sh", "deploy.sh"); r.code == 0 {
		t.Fatal("deploy.sh did not fail")
	}
	if ok := g.post(t, "success"); ok.code != 0 || conf() != "version=2\n" {
		t.Errorf("post step after a successful job: exit %d, configuration %q (want it left alone)", ok.code, conf())
	}
	failed := g.post(t, "failure")
	if failed.code != 0 || conf() != "version=1\n" {
		t.Errorf("post step after a failed job: exit %d, configuration %q, want version=1", failed.code, conf())
	}
	if !strings.Contains(failed.summary, "rollback") {
		t.Errorf("the rollback's summary:\n%s", failed.summary)
	}
}
