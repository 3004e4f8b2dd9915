package engine

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/doctest"
)

// pluginRunner starts plugin steps the way Drone's and Woodpecker's docker
// runners do: the step's image with its own entrypoint and no command, the
// workspace mounted and set as the working directory, the settings encoded
// as PLUGIN_* variables, the step's environment and the pipeline's metadata
// variables, secrets resolved by name.
type pluginRunner struct {
	drone     bool              // Drone's encoding (keeps hyphens) and paths; else Woodpecker's
	workspace string            // the workspace's path in the container
	meta      map[string]string // DRONE_* or CI_* variables
	secrets   map[string]string
}

// stepRun is what one plugin step left: its exit code, log and the
// workspace's .savepoint/result.json.
type stepRun struct {
	result
	json map[string]any
	raw  string
}

// pipelines parses a pipeline file (one or more YAML documents) after the
// runner's substitution of ${VARIABLE} from the metadata.
func (r pluginRunner) pipelines(t *testing.T, text string) []map[string]any {
	t.Helper()
	text = regexp.MustCompile(`\$\{(\w+)\}`).ReplaceAllStringFunc(text, func(m string) string {
		v, ok := r.meta[m[2:len(m)-1]]
		if !ok {
			t.Fatalf("the pipeline uses %s, which the runner does not set", m)
		}
		return v
	})
	docs, err := doctest.YAMLDocuments(text)
	if err != nil {
		t.Fatalf("pipeline: %v\n%s", err, text)
	}
	return docs
}

// run runs every step of a pipeline in a workspace (a directory on this
// machine mounted into each step's container) and returns the steps' runs.
func (r pluginRunner) run(t *testing.T, pipeline map[string]any, ws string) []stepRun {
	t.Helper()
	steps, _ := pipeline["steps"].([]any)
	if len(steps) == 0 {
		t.Fatalf("pipeline %v has no steps", pipeline["name"])
	}
	var runs []stepRun
	for _, s := range steps {
		step := s.(map[string]any)
		if _, ok := step["commands"]; ok {
			t.Fatalf("step %v has commands: these tests run plugin steps only", step["name"])
		}
		env := map[string]string{}
		for k, v := range r.meta {
			env[k] = v
		}
		for k, v := range r.values(t, step["environment"]) {
			env[k] = v
		}
		for k, v := range r.values(t, step["settings"]) {
			if !r.drone {
				k = strings.NewReplacer("-", "_", ".", "_").Replace(k)
			}
			env["PLUGIN_"+strings.ToUpper(k)] = v
		}
		env["DRONE_STEP_NAME"], env["CI_STEP_NAME"] = fmt.Sprint(step["name"]), fmt.Sprint(step["name"])
		os.Remove(filepath.Join(ws, ".savepoint", "result.json"))
		res := run(t, env, "-v", ws+":"+r.workspace, "-w", r.workspace, step["image"].(string))
		sr := stepRun{result: res}
		b, err := os.ReadFile(filepath.Join(ws, ".savepoint", "result.json"))
		if err != nil {
			t.Fatalf("step %v (exit %d) left no .savepoint/result.json in the workspace: %v\n%s", step["name"], res.code, err, res.output())
		}
		sr.raw = string(b)
		if err := json.Unmarshal(b, &sr.json); err != nil {
			t.Fatalf("result.json: %v\n%s", err, b)
		}
		t.Logf("step %v: exit %d\n%s", step["name"], res.code, res.output())
		runs = append(runs, sr)
	}
	return runs
}

// values encodes a settings or environment map as the runners do: scalars
// as text, lists of scalars comma-joined, maps and lists of maps as JSON,
// {from_secret: NAME} as the secret's value.
func (r pluginRunner) values(t *testing.T, m any) map[string]string {
	t.Helper()
	out := map[string]string{}
	mm, _ := m.(map[string]any)
	for k, v := range mm {
		switch v := v.(type) {
		case map[string]any:
			if name, ok := v["from_secret"].(string); ok {
				s, ok := r.secrets[name]
				if !ok {
					t.Fatalf("the pipeline wants secret %s, which the test does not hold", name)
				}
				out[k] = s
				continue
			}
			j, _ := json.Marshal(v)
			out[k] = string(j)
		case []any:
			var parts []string
			scalar := true
			for _, x := range v {
				if _, isMap := x.(map[string]any); isMap {
					scalar = false
				}
				parts = append(parts, fmt.Sprint(x))
			}
			if scalar {
				out[k] = strings.Join(parts, ",")
			} else {
				j, _ := json.Marshal(v)
				out[k] = string(j)
			}
		default:
			out[k] = fmt.Sprint(v)
		}
	}
	return out
}
