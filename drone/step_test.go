package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/testcmd"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// pluginDir holds the plugin binary, built once under the image's name.
var pluginDir string

// imageName is the step's image in the test pipelines. Woodpecker's local
// backend looks it up on PATH and runs it with the settings as env.
const imageName = "savepoint-plugin"

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "savepoint-plugin-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	build := exec.Command("go", "build", "-o", filepath.Join(dir, imageName), ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the plugin:", err)
		os.Exit(1)
	}
	pluginDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	testserver.Cleanup()
	os.Exit(code)
}

// step is one plugin step as a runner starts it.
type step struct {
	dir string            // working directory (the runner's workspace)
	env map[string]string // settings and metadata
}

// stepResult is what the step left behind.
type stepResult struct {
	code           int
	stdout, stderr string
	result         map[string]any // .savepoint/result.json in the workspace
	resultRaw      string
}

// run starts the step the way Woodpecker's local backend does: the image
// name looked up on PATH, executed with a clean environment of settings
// and metadata, in the workspace.
func (s step) run(t *testing.T) stepResult {
	t.Helper()
	t.Setenv("PATH", pluginDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	bin, err := exec.LookPath(imageName)
	if err != nil {
		t.Fatalf("lookup plugin binary: %v", err)
	}
	cmd := exec.Command(bin)
	cmd.Dir = s.dir
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir()}
	for k, v := range s.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var r stepResult
	r.code, r.stdout, r.stderr = testcmd.Run(t, cmd)
	ws := s.dir
	if w := s.env["CI_WORKSPACE"]; w != "" {
		ws = w
	} else if w := s.env["DRONE_WORKSPACE"]; w != "" {
		ws = w
	}
	b, err := os.ReadFile(filepath.Join(ws, ".savepoint", "result.json"))
	if err != nil {
		t.Fatalf("no result.json (exit %d, stderr %q): %v", r.code, r.stderr, err)
	}
	r.resultRaw = string(b)
	if err := json.Unmarshal(b, &r.result); err != nil {
		t.Fatalf("result.json: %v\n%s", err, b)
	}
	t.Logf("step %s: exit %d\nstdout:\n%sstderr:\n%s", s.env["PLUGIN_COMMAND"], r.code, r.stdout, r.stderr)
	return r
}

// mustOK fails unless the step exited 0 with status ok.
func (r stepResult) mustOK(t *testing.T) stepResult {
	t.Helper()
	if r.code != 0 || r.result["status"] != "ok" {
		t.Fatalf("step failed: exit %d, status %v, error %v\nstderr: %s", r.code, r.result["status"], r.result["error"], r.stderr)
	}
	return r
}

// noSecrets fails when any secret shows in the step's output or result.
func (r stepResult) noSecrets(t *testing.T, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		for name, text := range map[string]string{"stdout": r.stdout, "stderr": r.stderr, "result.json": r.resultRaw} {
			if strings.Contains(text, s) {
				t.Errorf("secret %.3s... printed in %s:\n%s", s, name, text)
			}
		}
	}
}

// get walks a path of keys in the result.
func (r stepResult) get(path ...string) any {
	var v any = r.result
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func (r stepResult) num(path ...string) int {
	f, _ := r.get(path...).(float64)
	return int(f)
}

// merge returns a copy of base with more laid over it.
func merge(base map[string]string, more map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}
