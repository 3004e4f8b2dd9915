package gitlab

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/location"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/internal/testenv"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
	"github.com/savepoint-ci/savepoint/internal/testserver"
	"github.com/savepoint-ci/savepoint/internal/testsnap"
)

// The pipeline the tests run is gitlab/.gitlab-ci.yml itself, the one GitLab
// runs in the component project: it includes the components at the current
// commit, saves a fixture, saves it again (dedup), restores it in another
// job from the first job's dotenv report, and verifies the files.
const (
	remoteURL   = "git@gitlab.example.com:savepoint-ci/components.git"
	projectPath = "savepoint-ci/components"
	password    = "gitlab-component-test"
)

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// savepointBin builds the savepoint binary once for all pipeline tests.
func savepointBin(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "savepoint-gitlab-bin")
		if buildErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, "savepoint"), "github.com/savepoint-ci/savepoint")
		cmd.Dir = filepath.Join(projectDir(t), "..")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = &buildError{string(out), err}
		}
	})
	if buildErr != nil {
		t.Fatalf("building savepoint: %v", buildErr)
	}
	return binDir
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.out }

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	testserver.Cleanup()
	os.Exit(code)
}

// pipelineRun is a finished gitlab-ci-local run of the component project.
type pipelineRun struct {
	dir    string // the temporary component project
	commit string // its HEAD
	output string
}

// artifact reads a file of a job's artifacts.
func (r *pipelineRun) artifact(t *testing.T, job, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.dir, ".gitlab-ci-local", "artifacts", job, name))
	if err != nil {
		t.Fatalf("artifact of %s: %v", job, err)
	}
	return b
}

// dotenv parses a job's dotenv report, checking GitLab's rules on the way.
func (r *pipelineRun) dotenv(t *testing.T, job string) map[string]string {
	t.Helper()
	data := r.artifact(t, job, ".savepoint/"+job+".env")
	if len(data) > 5<<10 {
		t.Errorf("%s: dotenv report is %d bytes, GitLab takes 5 KB", job, len(data))
	}
	m := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok || !regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`).MatchString(k) || v == "" {
			t.Errorf("%s: bad dotenv line %q", job, sc.Text())
		}
		m[k] = v
	}
	if len(m) > 20 {
		t.Errorf("%s: %d dotenv variables, GitLab's default limit is 20", job, len(m))
	}
	return m
}

// git runs git in dir with a fixed identity and returns its trimmed output.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	return testrepo.Git(t, dir, args...)
}

// componentProject makes a project directory, ROOT/app, whose templates/
// are this checkout's components and whose .gitlab-ci.yml is pipeline. It
// returns ROOT, a new temporary directory for the test's other files, and
// the project's directory (not yet a git project: see newProject).
func componentProject(t *testing.T, pipeline string) (root, dir string) {
	t.Helper()
	root = t.TempDir()
	dir = filepath.Join(root, "app")
	copyTree(t, filepath.Join(projectDir(t), "templates"), filepath.Join(dir, "templates"))
	testrepo.WriteFile(t, dir, ".gitlab-ci.yml", []byte(pipeline))
	return root, dir
}

// newProject makes dir a git project with everything committed and the
// origin remote gitlab-ci-local derives CI_PROJECT_PATH from; it returns HEAD.
func newProject(t *testing.T, dir, remote string) string {
	t.Helper()
	git(t, dir, "init", "-q", "-b", "main")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "initial")
	git(t, dir, "remote", "add", "origin", remote)
	return git(t, dir, "rev-parse", "HEAD")
}

// gcl runs gitlab-ci-local in dir on the shell executor with artifact
// isolation, the savepoint binary on PATH, the repository password and vars
// set; extra args select jobs. It fails the test when the pipeline fails.
func gcl(t *testing.T, dir string, vars map[string]string, extra ...string) string {
	t.Helper()
	bin := testenv.Require(t, "SAVEPOINT_TEST_GITLAB_CI_LOCAL")
	args := []string{"--force-shell-executor", "--shell-isolation", "--no-color",
		"--home", filepath.Join(t.TempDir(), "home"), "--variable", "SAVEPOINT_PASSWORD=" + password}
	for k, v := range vars {
		args = append(args, "--variable", k+"="+v)
	}
	args = append(args, extra...)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+savepointBin(t)+string(os.PathListSeparator)+os.Getenv("PATH"))
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("gitlab-ci-local %s ran in %.1fs", strings.Join(extra, " "), time.Since(start).Seconds())
	if err != nil {
		t.Fatalf("gitlab-ci-local %s: %v\n%s", strings.Join(extra, " "), err, out)
	}
	if strings.Contains(string(out), password) {
		t.Errorf("the repository password appears in the pipeline output")
	}
	return string(out)
}

// runPipeline copies gitlab/ into a fresh git project and runs its pipeline.
func runPipeline(t *testing.T, vars map[string]string) *pipelineRun {
	t.Helper()
	testenv.Require(t, "SAVEPOINT_TEST_GITLAB_CI_LOCAL")
	dir := filepath.Join(t.TempDir(), "components")
	copyTree(t, projectDir(t), dir)
	run := &pipelineRun{dir: dir, commit: newProject(t, dir, remoteURL)}
	run.output = gcl(t, dir, vars)
	for _, job := range []string{"component-test-save", "component-test-again-save", "component-test-restore",
		"component-test-verify-restore", "component-test-verify-dedup"} {
		if !regexp.MustCompile(`(?m)PASS\s+` + job + `\s*$`).MatchString(run.output) {
			t.Errorf("job %s did not pass:\n%s", job, run.output)
		}
	}
	return run
}

// checkRun checks what every pipeline run must leave behind.
func checkRun(t *testing.T, run *pipelineRun) {
	t.Helper()
	save := run.dotenv(t, "component-test-save")
	again := run.dotenv(t, "component-test-again-save")
	restored := run.dotenv(t, "component-test-restore")
	id := save["SAVEPOINT_SNAPSHOT_ID"]
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(id) {
		t.Fatalf("save dotenv: SAVEPOINT_SNAPSHOT_ID %q", id)
	}
	if restored["SAVEPOINT_SNAPSHOT_ID"] != id {
		t.Errorf("the restore job restored %s, not the save job's %s (dotenv not passed on?)", restored["SAVEPOINT_SNAPSHOT_ID"], id)
	}
	if save["SAVEPOINT_FILES"] != "3" || restored["SAVEPOINT_RESTORED_FILES"] != "3" || restored["SAVEPOINT_RESTORED_SYMLINKS"] != "1" {
		t.Errorf("file counts: save %v, restore %v", save, restored)
	}
	if restored["SAVEPOINT_SNAPSHOT_COMMIT"] != run.commit {
		t.Errorf("restore dotenv names commit %q, want %s", restored["SAVEPOINT_SNAPSHOT_COMMIT"], run.commit)
	}
	if again["SAVEPOINT_PARENT_ID"] != id {
		t.Errorf("the second save's parent is %q, want %s", again["SAVEPOINT_PARENT_ID"], id)
	}

	var ann map[string][]map[string]map[string]string
	if err := json.Unmarshal(run.artifact(t, "component-test-save", ".savepoint/component-test-save.annotations.json"), &ann); err != nil {
		t.Fatalf("annotations report: %v", err)
	}
	if l := ann["savepoint"]; len(l) != 1 || !strings.Contains(l[0]["external_link"]["label"], save["SAVEPOINT_SNAPSHOT_SHORT_ID"]) || l[0]["external_link"]["url"] == "" {
		t.Errorf("annotations report: %v", ann)
	}
	log, err := os.ReadFile(filepath.Join(run.dir, ".gitlab-ci-local", "output", "component-test-save.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, marker := range []string{"section_start:", ":savepoint_save[collapsed=false]", "section_end:", ":savepoint_setup"} {
		if !strings.Contains(string(log), marker) {
			t.Errorf("save job log has no %q", marker)
		}
	}
}

// checkRepository opens the repository the pipeline wrote and checks the
// snapshots and their provenance.
func checkRepository(t *testing.T, run *pipelineRun, url string, getenv func(string) string) {
	t.Helper()
	list := snapshots(t, url, getenv)
	if len(list) != 2 {
		t.Fatalf("%d snapshots in the repository, want 2", len(list))
	}
	want := map[string]string{"platform": "gitlab", "branch": "main", "commit": run.commit, "ref": "main", "repository": projectPath}
	for _, s := range list {
		if s.Name != "component-test" {
			t.Errorf("snapshot %s named %q", s.ID.Short(), s.Name)
		}
		for k, v := range want {
			if s.Provenance[k] != v {
				t.Errorf("snapshot %s: provenance %s=%q, want %q", s.ID.Short(), k, s.Provenance[k], v)
			}
		}
		for _, k := range []string{"pipeline", "pipeline_url", "job_url", "job", "job_id", "event"} {
			if s.Provenance[k] == "" {
				t.Errorf("snapshot %s: no provenance %s", s.ID.Short(), k)
			}
		}
	}
	if len(list[0].Tags) != 1 || list[0].Tags[0] != "component-test" {
		t.Errorf("first snapshot's tags %v", list[0].Tags)
	}
}

// snapshots opens the repository at url (its keys from getenv, which may
// be nil) with the pipeline's password and lists its snapshots.
func snapshots(t *testing.T, url string, getenv func(string) string) []*snapshot.Snapshot {
	t.Helper()
	ctx := t.Context()
	be, err := location.Open(ctx, url, location.Options{Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	_, list := testsnap.List(t, be, password)
	return list
}

// TestPipelineLocalRepository runs the project pipeline against a
// repository in a local directory.
func TestPipelineLocalRepository(t *testing.T) {
	repoDir := filepath.Join(t.TempDir(), "repo")
	run := runPipeline(t, map[string]string{"SAVEPOINT_TEST_REPOSITORY": repoDir})
	checkRun(t, run)
	checkRepository(t, run, repoDir, func(string) string { return "" })
}

// TestPipelineRegistryDefault runs the project pipeline the way GitLab
// does by default: the repository is oci://$CI_REGISTRY_IMAGE/savepoints-test
// in the project's container registry (here the registry of
// scripts/services/registry.sh), with the CI_REGISTRY_* variables a GitLab
// job gets.
func TestPipelineRegistryDefault(t *testing.T) {
	registry := testenv.Require(t, "SAVEPOINT_TEST_REGISTRY")
	vars := map[string]string{
		"CI_REGISTRY":          registry,
		"CI_REGISTRY_IMAGE":    registry + "/" + projectPath,
		"CI_REGISTRY_USER":     "gitlab-ci-token",
		"CI_REGISTRY_PASSWORD": "job-token-of-the-test",
	}
	run := runPipeline(t, vars)
	if strings.Contains(run.output, vars["CI_REGISTRY_PASSWORD"]) {
		t.Errorf("the registry password appears in the pipeline output")
	}
	checkRun(t, run)
	checkRepository(t, run, "oci://"+registry+"/"+projectPath+"/savepoints-test", func(k string) string { return vars[k] })
}

// TestPipelineMinIORepository runs the project pipeline against a bucket
// on the MinIO server of scripts/services/minio.sh; the save job's init
// creates the bucket.
func TestPipelineMinIORepository(t *testing.T) {
	m := testenv.RequireMinIO(t)
	endpoint, accessKey, secretKey := m.Endpoint, m.AccessKey, m.SecretKey
	url := "s3://" + testenv.Unique("savepoint-gitlab-") + "/ci"
	vars := map[string]string{
		"SAVEPOINT_TEST_REPOSITORY": url,
		"SAVEPOINT_S3_ENDPOINT":     endpoint,
		"SAVEPOINT_S3_INSECURE":     "true",
		"AWS_ACCESS_KEY_ID":         accessKey,
		"AWS_SECRET_ACCESS_KEY":     secretKey,
		"AWS_REGION":                "us-east-1",
	}
	run := runPipeline(t, vars)
	if strings.Contains(run.output, secretKey) {
		t.Errorf("the S3 secret key appears in the pipeline output")
	}
	checkRun(t, run)
	checkRepository(t, run, url, func(k string) string { return vars[k] })
}

// TestPipelineServerRepository runs the project pipeline against a real
// `savepoint serve` over TLS with a self-signed certificate: every
// component gets an append token through its server_token input (a
// variable reference, never the token) and the CA through server_ca_file.
// The save job's init creates the repository on the server; the token
// shows nowhere in the log, nor in the server's.
func TestPipelineServerRepository(t *testing.T) {
	srv, cert := testserver.StartTLS(t, t.TempDir())
	token := srv.Token("components", "append")
	url := srv.Repo("components")
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("server URL %s", url)
	}
	run := runPipeline(t, map[string]string{"SAVEPOINT_TEST_REPOSITORY": url, "SAVEPOINT_TEST_TOKEN": token, "SAVEPOINT_TEST_CA_FILE": cert})
	checkRun(t, run)
	env := map[string]string{"SAVEPOINT_TOKEN": token, "SAVEPOINT_SERVER_CA_FILE": cert}
	checkRepository(t, run, url, func(k string) string { return env[k] })
	if strings.Contains(run.output, testserver.Secret(token)) {
		t.Errorf("the token appears in the pipeline's log")
	}
	srv.CheckTokenNotLogged(t, token)
}

// TestPipelineListsAllComponents checks that gitlab-ci-local accepts every
// component of the project pipeline (schema, inputs, interpolation), also
// those it does not run (manual checkpoint and rollback, scheduled prune).
func TestPipelineListsAllComponents(t *testing.T) {
	gcl := testenv.Require(t, "SAVEPOINT_TEST_GITLAB_CI_LOCAL")
	dir := filepath.Join(t.TempDir(), "components")
	copyTree(t, projectDir(t), dir)
	newProject(t, dir, remoteURL)
	cmd := exec.Command(gcl, "--list-json", "--home", filepath.Join(t.TempDir(), "home"))
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("gitlab-ci-local --list-json: %v\n%s", err, out)
	}
	var jobs []struct {
		Name  string `json:"name"`
		Stage string `json:"stage"`
		When  string `json:"when"`
	}
	start := bytes.IndexByte(out, '[')
	if start < 0 || json.Unmarshal(out[start:], &jobs) != nil {
		t.Fatalf("gitlab-ci-local --list-json printed no job list:\n%s", out)
	}
	got := map[string]string{}
	for _, j := range jobs {
		got[j.Name] = j.Stage + "/" + j.When
	}
	for name, want := range map[string]string{
		"component-test-save": "save/on_success", "component-test-restore": "test/on_success",
		"component-test-checkpoint": "test/manual", "component-test-rollback": "test/manual",
		"component-test-prune": ".post/never",
	} {
		if got[name] != want {
			t.Errorf("job %s: stage/when %q, want %q (all: %v)", name, got[name], want, got)
		}
	}
}

// copyTree copies the project's files into dst, without gitlab-ci-local's
// own state.
func copyTree(t *testing.T, src, dst string) { testrepo.CopyTree(t, src, dst, ".gitlab-ci-local") }
