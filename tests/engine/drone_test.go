package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/savepoint-ci/savepoint/internal/doctest"
	"github.com/savepoint-ci/savepoint/internal/testenv"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
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
	var docs []map[string]any
	dec := yaml.NewDecoder(strings.NewReader(text))
	for {
		var d map[string]any
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("pipeline: %v\n%s", err, text)
		}
		docs = append(docs, d)
	}
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

// yamlUnder returns the YAML blocks of a Markdown file under a heading.
func yamlUnder(t *testing.T, file, heading string) []string {
	t.Helper()
	blocks, err := doctest.Blocks(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, b := range blocks {
		if b.Heading == heading && b.Lang == "yaml" {
			out = append(out, b.Text)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s has no yaml block under %q", file, heading)
	}
	return out
}

// distTree writes the build output the pipelines hand over.
func distTree(t *testing.T, ws string) {
	t.Helper()
	testrepo.WriteFile(t, ws, "dist/shop.bin", testrepo.Random(1<<20))
	testrepo.WriteFile(t, ws, "dist/static/app.js", []byte("console.log('shop')\n"))
	testrepo.WriteFile(t, ws, "dist/VERSION", []byte("1.4.2\n"))
}

// TestPluginPipelines runs the hand-over examples of drone/docs.md, Drone's
// and Woodpecker's: the save step in one container on one workspace, the
// restore step in another container on a fresh workspace, against MinIO.
func TestPluginPipelines(t *testing.T) {
	t.Parallel()
	im := requireEngine(t)
	m := testenv.RequireMinIO(t)
	secrets := map[string]string{
		"s3_endpoint": "http://" + m.Endpoint, "s3_access_key": m.AccessKey, "s3_secret_key": m.SecretKey,
		"savepoint_password": password,
	}
	sha := randomHex(20)
	runners := map[string]pluginRunner{
		"Drone: hand the build output to a later pipeline": {drone: true, workspace: "/drone/src", secrets: secrets, meta: map[string]string{
			"CI": "true", "DRONE": "true", "DRONE_REPO": "acme/shop", "DRONE_COMMIT_SHA": sha, "DRONE_COMMIT_BRANCH": "main",
			"DRONE_BUILD_NUMBER": "17", "DRONE_BUILD_EVENT": "push", "DRONE_WORKSPACE": "/drone/src",
		}},
		"Woodpecker: the same with two workflows": {workspace: "/woodpecker/src/git.example.com/acme/shop", secrets: secrets, meta: map[string]string{
			"CI": "woodpecker", "CI_REPO": "acme/shop", "CI_COMMIT_SHA": sha[:39] + "w", "CI_COMMIT_BRANCH": "main",
			"CI_PIPELINE_NUMBER": "18", "CI_PIPELINE_EVENT": "push", "CI_WORKSPACE": "/woodpecker/src/git.example.com/acme/shop",
		}},
	}
	headings := make([]string, 0, len(runners))
	for h := range runners {
		headings = append(headings, h)
	}
	sort.Strings(headings)
	for _, heading := range headings {
		r := runners[heading]
		t.Run(strings.TrimSuffix(strings.Fields(heading)[0], ":"), func(t *testing.T) {
			var pipelines []map[string]any
			for _, text := range yamlUnder(t, "drone/docs.md", heading) {
				pipelines = append(pipelines, r.pipelines(t, text)...)
			}
			if len(pipelines) != 2 {
				t.Fatalf("%d pipelines, want build and test", len(pipelines))
			}
			for _, p := range pipelines {
				for _, s := range p["steps"].([]any) {
					if img := s.(map[string]any)["image"]; img != im.plugin {
						t.Errorf("step image %v, want the plugin image %s", img, im.plugin)
					}
				}
			}
			build := t.TempDir()
			distTree(t, build)
			saved := r.run(t, pipelines[0], build)[0]
			if saved.code != 0 || saved.json["status"] != "ok" || saved.json["command"] != "save" {
				t.Fatalf("save: exit %d, result %s", saved.code, saved.raw)
			}
			id, _ := saved.json["snapshot"].(string)
			meta, _ := saved.json["metadata"].(map[string]any)
			platform := map[bool]string{true: "drone", false: "woodpecker"}[r.drone]
			if len(id) != 64 || meta["platform"] != platform || meta["event"] != "push" {
				t.Errorf("save result: snapshot %q, metadata %v (want platform %s)", id, meta, platform)
			}

			fresh := t.TempDir()
			restored := r.run(t, pipelines[1], fresh)[0]
			if restored.code != 0 || restored.json["status"] != "ok" || restored.json["command"] != "restore" || restored.json["snapshot"] != id {
				t.Fatalf("restore: exit %d, result %s (want snapshot %s)", restored.code, restored.raw, id)
			}
			if diff := testrepo.Equal(t, filepath.Join(build, "dist"), filepath.Join(fresh, "dist")); diff != "" {
				t.Errorf("restored dist differs: %s", diff)
			}
			for _, s := range []stepRun{saved, restored} {
				for _, secret := range []string{password, m.SecretKey} {
					if strings.Contains(s.output()+s.raw, secret) {
						t.Errorf("a secret shows in a step's log or result.json")
					}
				}
			}
		})
	}
}
