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
