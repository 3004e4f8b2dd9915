package engine

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/doctest"
	"github.com/savepoint-ci/savepoint/internal/testenv"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// githubProject is a repository with workflows from the docs, run by act
// against the engine.
type githubProject struct {
	dir      string            // the git work tree
	action   string            // the action as the runner fetches it: action.yml, the launcher, release.json
	download string            // where the launcher downloads the release's savepoint-action (a loopback server)
	vars     map[string]string // configuration variables
	env      map[string]string // secrets, passed to act through its environment
	runEnv   map[string]string // the runner's own environment (act --env)
	secrets  []string          // values no log may show
}

// defaultScripts are the project's scripts the documented workflows call.
var defaultScripts = map[string]string{
	"build.sh":      "set -e\nmkdir -p dist\ncp -R src/. dist/\necho \"built with $(cat deps/VERSION 2>/dev/null || echo 'no dependencies')\"\n",
	"test.sh":       "set -e\ndiff -r src dist\necho 'dist matches src'\n",
	"fetch-deps.sh": "set -e\nmkdir -p deps\necho 'deps 1.0' >deps/VERSION\nhead -c 300000 /dev/urandom >deps/lib.bin\necho 'fetched the dependencies'\n",
	"deploy.sh":     "echo version=2 >deploy/config/app.env\necho 'deploy: the migration failed' >&2\nexit 1\n",
}

// newGitHubProject makes a git repository with the default scripts (files
// may replace them or add others; names ending in .sh become executable
// shell scripts) and the given workflows (file name -> text), configured
// for the MinIO server.
func newGitHubProject(t *testing.T, files, workflows map[string]string) *githubProject {
	t.Helper()
	im := requireEngine(t)
	m := testenv.RequireMinIO(t)
	p := &githubProject{dir: filepath.Join(t.TempDir(), "app"), action: t.TempDir(),
		vars:    map[string]string{"SAVEPOINT_REPOSITORY": "s3://sp-engine-" + randomHex(4) + "/github", "S3_ENDPOINT": "http://" + m.Endpoint},
		env:     map[string]string{"S3_ACCESS_KEY": m.AccessKey, "S3_SECRET_KEY": m.SecretKey, "SAVEPOINT_PASSWORD": password},
		runEnv:  map[string]string{},
		secrets: []string{password, m.SecretKey}}
	p.download = serveRelease(t, p.action, im.actionAssets)
	all := map[string]string{}
	for name, body := range defaultScripts {
		all[name] = body
	}
	for name, body := range files {
		all[name] = body
	}
	for name, body := range all {
		if strings.HasSuffix(name, ".sh") {
			body = "#!/bin/sh\n" + body
		}
		testrepo.WriteFile(t, p.dir, name, []byte(body))
		if strings.HasSuffix(name, ".sh") {
			if err := os.Chmod(filepath.Join(p.dir, name), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	testrepo.WriteFile(t, p.dir, "src/app.txt", []byte("the app\n"))
	testrepo.WriteFile(t, p.dir, "src/assets/blob.bin", testrepo.Random(700<<10))
	testrepo.WriteFile(t, p.dir, "deploy/config/app.env", []byte("version=1\n"))
	testrepo.WriteFile(t, p.dir, ".gitignore", []byte("dist/\ndeps/\n"))
	for file, text := range workflows {
		testrepo.WriteFile(t, p.dir, ".github/workflows/"+file, []byte(text))
	}
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "app"},
		{"remote", "add", "origin", "https://github.com/acme/app.git"}} {
		testrepo.Git(t, p.dir, args...)
	}
	return p
}

// serveRelease puts the action into dir as the runner fetches it for
// `uses: savepoint-ci/savepoint@v1` (action.yml and the launcher from this
// checkout, with `make action-release`'s release.json) and serves the
// release's assets on loopback the way GitHub serves them (a redirect to
// the storage). It returns the URL for SAVEPOINT_ACTION_DOWNLOAD_URL.
func serveRelease(t *testing.T, dir, assets string) string {
	t.Helper()
	copyFile := func(from, to string) {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		testrepo.WriteFile(t, dir, to, b)
	}
	copyFile(filepath.Join(doctest.Root(), "action.yml"), "action.yml")
	for _, f := range []string{"launch.js", "main.js", "post.js"} {
		copyFile(filepath.Join(doctest.Root(), "actions", "node", f), "actions/node/"+f)
	}
	copyFile(filepath.Join(assets, "release.json"), "actions/node/release.json")
	var rel struct{ Version string }
	b, _ := os.ReadFile(filepath.Join(assets, "release.json"))
	if err := json.Unmarshal(b, &rel); err != nil || rel.Version == "" {
		t.Fatalf("%s/release.json names no version (%v): run make action-release", assets, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/"+rel.Version+"/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/storage/"+filepath.Base(r.URL.Path), http.StatusFound)
	})
	mux.Handle("/storage/", http.StripPrefix("/storage/", http.FileServer(http.Dir(assets))))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// act runs one workflow for a push and returns act's log. Secrets are not
// masked by act (--insecure-secrets): only the action's own masking and
// care keep them out of the log, which the tests check.
func (p *githubProject) act(t *testing.T, workflow string) result {
	t.Helper()
	im := requireEngine(t)
	bin := testenv.Require(t, "SAVEPOINT_TEST_ACT")
	args := []string{"push", "-W", ".github/workflows/" + workflow,
		"-P", "ubuntu-latest=" + im.runner, "--pull=false", "--container-daemon-socket", "-",
		"--local-repository", "savepoint-ci/savepoint@v1=" + p.action, "--insecure-secrets", "--rm",
		"--env", "SAVEPOINT_ACTION_DOWNLOAD_URL=" + p.download}
	for k, v := range p.runEnv {
		args = append(args, "--env", k+"="+v)
	}
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
	for _, s := range p.secrets {
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
