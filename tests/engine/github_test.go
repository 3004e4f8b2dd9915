package engine

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/doctest"
	"github.com/savepoint-ci/savepoint/internal/testenv"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// githubProject is a repository with workflows from docs/github.md, run by
// act against the engine.
type githubProject struct {
	dir    string            // the git work tree
	action string            // a directory holding only action.yml: what `uses: savepoint-ci/savepoint@v1` resolves to
	vars   map[string]string // configuration variables
	env    map[string]string // secrets, passed to act through its environment
}

// newGitHubProject makes a git repository with the scripts the documented
// workflows call and the given workflows (file name -> docs heading).
func newGitHubProject(t *testing.T, workflows map[string]string) *githubProject {
	t.Helper()
	m := testenv.RequireMinIO(t)
	p := &githubProject{dir: filepath.Join(t.TempDir(), "app"), action: t.TempDir(),
		vars: map[string]string{"SAVEPOINT_REPOSITORY": "s3://sp-engine-" + randomHex(4) + "/github", "S3_ENDPOINT": "http://" + m.Endpoint},
		env:  map[string]string{"S3_ACCESS_KEY": m.AccessKey, "S3_SECRET_KEY": m.SecretKey, "SAVEPOINT_PASSWORD": password}}
	b, err := os.ReadFile(filepath.Join(doctest.Root(), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p.action, "action.yml"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	scripts := map[string]string{
		"build.sh":      "set -e\nmkdir -p dist\ncp -R src/. dist/\necho \"built with $(cat deps/VERSION 2>/dev/null || echo 'no dependencies')\"\n",
		"test.sh":       "set -e\ndiff -r src dist\necho 'dist matches src'\n",
		"fetch-deps.sh": "set -e\nmkdir -p deps\necho 'deps 1.0' >deps/VERSION\nhead -c 300000 /dev/urandom >deps/lib.bin\necho 'fetched the dependencies'\n",
		"deploy.sh":     "echo version=2 >deploy/config/app.env\necho 'deploy: the migration failed' >&2\nexit 1\n",
	}
	for name, body := range scripts {
		testrepo.WriteFile(t, p.dir, name, []byte("#!/bin/sh\n"+body))
		if err := os.Chmod(filepath.Join(p.dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	testrepo.WriteFile(t, p.dir, "src/app.txt", []byte("the app\n"))
	testrepo.WriteFile(t, p.dir, "src/assets/blob.bin", testrepo.Random(700<<10))
	testrepo.WriteFile(t, p.dir, "deploy/config/app.env", []byte("version=1\n"))
	testrepo.WriteFile(t, p.dir, ".gitignore", []byte("dist/\ndeps/\n"))
	for file, heading := range workflows {
		testrepo.WriteFile(t, p.dir, ".github/workflows/"+file, []byte(yamlUnder(t, "docs/github.md", heading)[0]))
	}
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "app"},
		{"remote", "add", "origin", "https://github.com/acme/app.git"}} {
		testrepo.Git(t, p.dir, args...)
	}
	return p
}

// act runs one workflow for a push and returns act's log. Secrets are not
// masked by act (--insecure-secrets): only the action's own masking and
// care keep them out of the log, which the tests check.
func (p *githubProject) act(t *testing.T, workflow string) result {
	t.Helper()
	im := requireEngine(t)
	bin := testenv.Require(t, "SAVEPOINT_TEST_ACT")
	args := []string{"push", "-W", ".github/workflows/" + workflow,
		"-P", "ubuntu-latest=" + im.helper, "--pull=false", "--container-daemon-socket", "-",
		"--local-repository", "savepoint-ci/savepoint@v1=" + p.action, "--insecure-secrets", "--rm"}
	for k, v := range p.vars {
		args = append(args, "--var", k+"="+v)
	}
	env := map[string]string{"HOME": t.TempDir()}
	for k, v := range p.env {
		args = append(args, "-s", k) // the value comes from act's environment
		env[k] = v
	}
	r := commandIn(t, p.dir, env, bin, args...)
	t.Logf("act %s: exit %d\n%s", workflow, r.code, r.output())
	for _, s := range []string{password, p.env["S3_SECRET_KEY"]} {
		if strings.Contains(r.output(), s) {
			t.Errorf("a secret appears in the log of %s", workflow)
		}
	}
	return r
}

// jobLog returns act's lines about one job ("workflow/job"), without the
// prefix (act pads job names to the same width).
func jobLog(out, job string) string {
	var lines []string
	prefix := regexp.MustCompile(`^\[` + regexp.QuoteMeta(job) + ` *\] `)
	for _, l := range strings.Split(out, "\n") {
		if loc := prefix.FindStringIndex(l); loc != nil {
			lines = append(lines, l[loc[1]:])
		}
	}
	return strings.Join(lines, "\n")
}

// stepLog returns the lines a job's steps printed (act's "| " lines).
func stepLog(out, job string) string {
	var lines []string
	for _, l := range strings.Split(jobLog(out, job), "\n") {
		if rest, ok := strings.CutPrefix(l, "  | "); ok {
			lines = append(lines, rest)
		}
	}
	return strings.Join(lines, "\n")
}

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
