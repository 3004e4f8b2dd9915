package engine

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/savepoint-ci/savepoint/internal/doctest"
	"github.com/savepoint-ci/savepoint/internal/testenv"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// gitlabProject is a GitLab project whose .gitlab-ci.yml is a pipeline of
// gitlab/README.md, run by gitlab-ci-local's docker executor.
type gitlabProject struct {
	dir, home string
	secrets   []string
}

// The component project and version README.md's pipelines include.
const (
	componentProject = "savepoint-ci/components"
	componentVersion = "1.0.0"
)

// newGitLabProject makes a git project with the given pipeline (a block of
// the docs) and files, the components of gitlab/templates where
// gitlab-ci-local keeps a fetched component project (so the pipeline's
// `include: component: $CI_SERVER_FQDN/savepoint-ci/components/NAME@1.0.0`
// resolves to this checkout's templates), and the CI/CD variables.
func newGitLabProject(t *testing.T, pipeline string, files map[string]string, vars map[string]string) *gitlabProject {
	t.Helper()
	p := &gitlabProject{dir: filepath.Join(t.TempDir(), "app"), home: t.TempDir()}
	files[".gitlab-ci.yml"] = pipeline
	files[".gitignore"] = ".gitlab-ci-local/\n"
	for name, body := range files {
		testrepo.WriteFile(t, p.dir, name, []byte(body))
	}
	cache := filepath.Join(p.dir, ".gitlab-ci-local", "includes", "gitlab.example.com", componentProject, componentVersion, "templates")
	testrepo.CopyTree(t, filepath.Join(doctest.Root(), "gitlab", "templates"), cache)
	m := testenv.RequireMinIO(t)
	all := map[string]string{
		"SAVEPOINT_REPOSITORY": "s3://sp-engine-" + randomHex(4) + "/gitlab", "SAVEPOINT_S3_ENDPOINT": "http://" + m.Endpoint,
		"AWS_ACCESS_KEY_ID": m.AccessKey, "AWS_SECRET_ACCESS_KEY": m.SecretKey, "SAVEPOINT_PASSWORD": password,
	}
	for k, v := range vars {
		all[k] = v
	}
	p.secrets = []string{password, m.SecretKey}
	b, err := yaml.Marshal(map[string]any{"global": all})
	if err != nil {
		t.Fatal(err)
	}
	testrepo.WriteFile(t, p.home, ".gitlab-ci-local/variables.yml", b)
	p.git(t, "init", "-q", "-b", "main")
	p.git(t, "add", "-A")
	p.git(t, "commit", "-q", "-m", "app")
	p.git(t, "remote", "add", "origin", "git@gitlab.example.com:acme/app.git")
	return p
}

func (p *gitlabProject) git(t *testing.T, args ...string) string {
	t.Helper()
	return testrepo.Git(t, p.dir, args...)
}

// gcl runs the pipeline (or the named jobs) with gitlab-ci-local's docker
// executor: jobs in their images through the engine's Docker API, on the
// host network, images from the engine (never pulled), the helper image
// for copying files. It fails the test when the pipeline fails or shows a
// secret.
func (p *gitlabProject) gcl(t *testing.T, jobs ...string) string {
	t.Helper()
	im := requireEngine(t)
	bin := testenv.Require(t, "SAVEPOINT_TEST_GITLAB_CI_LOCAL")
	args := append([]string{"--container-executable", "docker", "--network", "host", "--pull-policy", "if-not-present",
		"--helper-image", im.helper, "--no-color", "--home", p.home}, jobs...)
	r := commandIn(t, p.dir, nil, bin, args...)
	t.Logf("gitlab-ci-local %s: exit %d\n%s", strings.Join(jobs, " "), r.code, r.output())
	if r.code != 0 {
		t.Fatalf("the pipeline failed (exit %d)", r.code)
	}
	for _, s := range p.secrets {
		if strings.Contains(r.output(), s) {
			t.Errorf("a secret appears in the pipeline's log")
		}
	}
	return r.output()
}

// passed reports whether the log shows job as passed.
func passed(out, job string) bool {
	return regexp.MustCompile(`(?m)PASS\s+` + regexp.QuoteMeta(job) + `\s*$`).MatchString(out)
}
