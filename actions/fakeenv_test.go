package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sethvargo/go-githubactions"

	"github.com/savepoint-ci/savepoint/internal/testkdf"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

func TestMain(m *testing.M) {
	testkdf.Cheap()
	abs, err := filepath.Abs("../action.yml")
	if err != nil {
		panic(err)
	}
	actionYMLPath = abs
	testserver.Main(m) // runs the tests, then removes the server binary it built
}

// actionYMLPath is action.yml's absolute path (tests change directory).
var actionYMLPath string

// fakeEnv is a fake Actions runner environment: INPUT_* variables, the
// GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_STATE files, GITHUB_*
// provenance, and the log the entrypoint writes.
type fakeEnv struct {
	t    *testing.T
	dir  string
	vars map[string]string
	log  bytes.Buffer
}

func newFakeEnv(t *testing.T) *fakeEnv {
	t.Helper()
	dir := t.TempDir()
	f := &fakeEnv{t: t, dir: dir, vars: map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_SHA":          "0123456789abcdef0123456789abcdef01234567",
		"GITHUB_REF_NAME":     "main",
		"GITHUB_REPOSITORY":   "octo/app",
		"GITHUB_WORKFLOW":     "deploy",
		"GITHUB_JOB":          "build",
		"GITHUB_RUN_ID":       "4242",
		"GITHUB_RUN_ATTEMPT":  "1",
		"GITHUB_ACTOR":        "octocat",
		"GITHUB_SERVER_URL":   "https://github.com",
		"GITHUB_EVENT_NAME":   "push",
		"GITHUB_OUTPUT":       filepath.Join(dir, "output"),
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary"),
		"GITHUB_STATE":        filepath.Join(dir, "state"),
	}}
	for _, k := range []string{"GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_STATE"} {
		if err := os.WriteFile(f.vars[k], nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// input sets an input the way the runner does: INPUT_ + upper case, in the
// snake_case form, or with hyphens when hyphen is true.
func (f *fakeEnv) input(name, value string, hyphen ...bool) *fakeEnv {
	k := strings.ToUpper(name)
	if len(hyphen) > 0 && hyphen[0] {
		k = strings.ReplaceAll(k, "_", "-")
	}
	f.vars["INPUT_"+k] = value
	return f
}

func (f *fakeEnv) inputs(kv map[string]string) *fakeEnv {
	for k, v := range kv {
		f.input(k, v)
	}
	return f
}

func (f *fakeEnv) getenv(k string) string { return f.vars[k] }

// run runs the entrypoint (main step, or post step) in-process.
func (f *fakeEnv) run(post bool) int {
	f.t.Helper()
	a := githubactions.New(githubactions.WithGetenv(f.getenv), githubactions.WithWriter(&f.log))
	return run(context.Background(), a, post)
}

// mustRun runs the main step (post: the post step) and fails the test,
// naming what ran and showing the log, unless it exits 0.
func (f *fakeEnv) mustRun(what string, post bool) {
	f.t.Helper()
	if code := f.run(post); code != 0 {
		f.t.Fatalf("%s: exit %d\n%s", what, code, f.log.String())
	}
}

// post returns the environment of this action's post step: the same
// inputs, fresh files, and the state the main step saved as STATE_*.
func (f *fakeEnv) post(jobStatus string) *fakeEnv {
	f.t.Helper()
	p := newFakeEnv(f.t)
	for k, v := range f.vars {
		if strings.HasPrefix(k, "INPUT_") {
			p.vars[k] = v
		}
	}
	for k, v := range f.state() {
		p.vars["STATE_"+k] = v
	}
	p.input("job_status", jobStatus)
	return p
}

func (f *fakeEnv) file(k string) string {
	f.t.Helper()
	b, err := os.ReadFile(f.vars[k])
	if err != nil {
		f.t.Fatal(err)
	}
	return string(b)
}

func (f *fakeEnv) outputs() map[string]string { return parseFileCommand(f.t, f.file("GITHUB_OUTPUT")) }
func (f *fakeEnv) state() map[string]string   { return parseFileCommand(f.t, f.file("GITHUB_STATE")) }
func (f *fakeEnv) summary() string            { return f.file("GITHUB_STEP_SUMMARY") }

// everything is all the entrypoint wrote: log, outputs, state, summary.
func (f *fakeEnv) everything() string {
	return f.log.String() + f.file("GITHUB_OUTPUT") + f.file("GITHUB_STATE") + f.file("GITHUB_STEP_SUMMARY")
}

// assertNoSecret fails when a secret appears anywhere the entrypoint wrote,
// except in the ::add-mask:: commands that register it.
func (f *fakeEnv) assertNoSecret(secrets ...string) {
	f.t.Helper()
	var kept []string
	for _, line := range strings.Split(f.everything(), "\n") {
		if !strings.HasPrefix(line, "::add-mask::") {
			kept = append(kept, line)
		}
	}
	text := strings.Join(kept, "\n")
	for _, s := range secrets {
		if strings.Contains(text, s) {
			f.t.Errorf("secret %q appears in the output:\n%s", s, text)
		}
		// The toolkit escapes a command's data: '%' as %25, line breaks.
		escaped := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
		if !strings.Contains(f.log.String(), "::add-mask::"+escaped+"\n") {
			f.t.Errorf("secret %q was not masked", s)
		}
	}
}

// errors returns the ::error lines of the log.
func (f *fakeEnv) errors() []string {
	var out []string
	for _, line := range strings.Split(f.log.String(), "\n") {
		if strings.HasPrefix(line, "::error") {
			out = append(out, line)
		}
	}
	return out
}

// parseFileCommand parses the NAME<<DELIMITER ... DELIMITER format of
// GITHUB_OUTPUT and GITHUB_STATE (and plain NAME=value lines).
func parseFileCommand(t *testing.T, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if line == "" {
			continue
		}
		if name, delim, ok := strings.Cut(line, "<<"); ok {
			var val []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				val = append(val, lines[i])
			}
			if i == len(lines) {
				t.Fatalf("unterminated %s in file command", name)
			}
			out[name] = strings.Join(val, "\n")
			continue
		}
		name, val, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("malformed file command line %q", line)
		}
		out[name] = val
	}
	return out
}

// fakeToken stands for the job's GITHUB_TOKEN in tests.
const fakeToken = "ghs_FakeJobToken0123456789"

// withDefaults sets every input the test did not set (in either form) to
// its action.yml default, as the runner does, with the expressions
// evaluated: ${{ github.token }} and ${{ job.status }}.
func (f *fakeEnv) withDefaults(jobStatus string) *fakeEnv {
	f.t.Helper()
	for name, in := range loadActionYML(f.t).Inputs {
		up := strings.ToUpper(name)
		if _, ok := f.vars["INPUT_"+up]; ok {
			continue
		}
		if _, ok := f.vars["INPUT_"+strings.ReplaceAll(up, "_", "-")]; ok {
			continue
		}
		v := strings.NewReplacer("${{ github.token }}", fakeToken, "${{ job.status }}", jobStatus).Replace(in.Default)
		f.vars["INPUT_"+up] = v
	}
	return f
}
