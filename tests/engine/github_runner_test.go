package engine

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/savepoint-ci/savepoint/internal/doctest"
)

// actionYML is what a runner reads from action.yml.
type actionYML struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Runs struct {
		Image          string `yaml:"image"`
		Entrypoint     string `yaml:"entrypoint"`
		PostEntrypoint string `yaml:"post-entrypoint"`
	} `yaml:"runs"`
}

// githubRunner starts the action's entrypoints the way GitHub's runner
// starts a docker action's main and post steps, which act 0.2.89 does not
// fully do (it passes no STATE_* to a docker action's post step): the image
// from action.yml with the entrypoint as --entrypoint, the workspace at
// /github/workspace as the working directory, the file commands under
// /github/file_commands, INPUT_* from the step's `with` and action.yml's
// defaults (expressions evaluated again for the post step), and for the
// post step STATE_* from the main step's GITHUB_STATE file.
type githubRunner struct {
	action    actionYML
	workspace string            // on this machine
	vars      map[string]string // ${{ vars.X }}
	secrets   map[string]string // ${{ secrets.X }}
	with      map[string]string // the step's inputs, unevaluated
	state     map[string]string // saved by the main step
}

// stepResult is one entrypoint's run: its exit code and log, and the
// outputs and state it wrote through the file commands.
type stepResult struct {
	result
	outputs, state map[string]string
	summary        string
}

func newGitHubRunner(t *testing.T, workspace string, vars, secrets, with map[string]string) *githubRunner {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(doctest.Root(), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	g := &githubRunner{workspace: workspace, vars: vars, secrets: secrets, with: with}
	if err := yaml.Unmarshal(b, &g.action); err != nil {
		t.Fatal(err)
	}
	return g
}

var expression = regexp.MustCompile(`\$\{\{\s*([\w.]+)\s*\}\}`)

// eval evaluates the expressions a step's inputs and action.yml's defaults
// use; any other expression fails the test.
func (g *githubRunner) eval(t *testing.T, s, jobStatus string) string {
	t.Helper()
	return expression.ReplaceAllStringFunc(s, func(m string) string {
		name := expression.FindStringSubmatch(m)[1]
		switch {
		case strings.HasPrefix(name, "vars."):
			return g.vars[strings.TrimPrefix(name, "vars.")]
		case strings.HasPrefix(name, "secrets."):
			return g.secrets[strings.TrimPrefix(name, "secrets.")]
		case name == "github.token":
			return "ghs_EngineTestJobToken0123456789"
		case name == "job.status":
			return jobStatus
		}
		t.Fatalf("the runner in this test cannot evaluate %s", m)
		return ""
	})
}

// main runs the main step; the state it saves is kept for post.
func (g *githubRunner) main(t *testing.T) stepResult {
	t.Helper()
	r := g.start(t, g.action.Runs.Entrypoint, "success", nil)
	g.state = r.state
	return r
}

// post runs the post step at the end of a job that ended with jobStatus.
func (g *githubRunner) post(t *testing.T, jobStatus string) stepResult {
	t.Helper()
	return g.start(t, g.action.Runs.PostEntrypoint, jobStatus, g.state)
}

func (g *githubRunner) start(t *testing.T, entrypoint, jobStatus string, state map[string]string) stepResult {
	t.Helper()
	files, home := t.TempDir(), t.TempDir()
	env := map[string]string{
		"HOME": "/github/home", "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": "/github/workspace",
		"GITHUB_REPOSITORY": "acme/app", "GITHUB_SHA": strings.Repeat("5a", 20), "GITHUB_REF": "refs/heads/main",
		"GITHUB_REF_NAME": "main", "GITHUB_RUN_ID": "7001", "GITHUB_RUN_ATTEMPT": "1", "GITHUB_WORKFLOW": "cache",
		"GITHUB_JOB": "build", "GITHUB_ACTOR": "octocat", "GITHUB_EVENT_NAME": "push", "GITHUB_SERVER_URL": "https://github.com",
		"RUNNER_OS": "Linux", "RUNNER_ARCH": "X64",
		"GITHUB_OUTPUT":       "/github/file_commands/set_output_1",
		"GITHUB_STATE":        "/github/file_commands/save_state_1",
		"GITHUB_STEP_SUMMARY": "/github/file_commands/step_summary_1",
		"GITHUB_ENV":          "/github/file_commands/set_env_1",
		"GITHUB_PATH":         "/github/file_commands/add_path_1",
	}
	for _, f := range []string{"set_output_1", "save_state_1", "step_summary_1", "set_env_1", "add_path_1"} {
		if err := os.WriteFile(filepath.Join(files, f), nil, 0o666); err != nil {
			t.Fatal(err)
		}
	}
	for name, in := range g.action.Inputs {
		v, ok := g.with[name]
		if !ok {
			v = in.Default
		}
		env["INPUT_"+strings.ToUpper(name)] = g.eval(t, v, jobStatus)
	}
	for k, v := range state {
		env["STATE_"+k] = v
	}
	res := run(t, env, "--entrypoint", entrypoint, "--workdir", "/github/workspace",
		"-v", g.workspace+":/github/workspace", "-v", files+":/github/file_commands", "-v", home+":/github/home",
		strings.TrimPrefix(g.action.Runs.Image, "docker://"))
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(files, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	r := stepResult{result: res, outputs: parseFileCommand(t, read("set_output_1")), state: parseFileCommand(t, read("save_state_1")), summary: read("step_summary_1")}
	t.Logf("%s (job %s): exit %d\n%s", filepath.Base(entrypoint), jobStatus, res.code, res.output())
	for _, s := range []string{password, g.secrets["S3_SECRET_KEY"]} {
		for _, text := range []string{withoutMaskCommands(res.output()), read("set_output_1"), read("save_state_1"), r.summary} {
			if s != "" && strings.Contains(text, s) {
				t.Errorf("a secret appears in what %s wrote", entrypoint)
			}
		}
	}
	return r
}
