package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/savepoint-ci/savepoint/drone/internal/plugin"
	"github.com/savepoint-ci/savepoint/drone/internal/settings"
	"github.com/savepoint-ci/savepoint/internal/doctest"
)

// docTypes are the type names docs.md's table uses for each kind.
var docTypes = map[plugin.Kind]string{plugin.String: "string", plugin.Number: "number", plugin.Bool: "boolean", plugin.List: "list", plugin.Pairs: "map"}

// TestDocsFrontMatter checks the front matter Woodpecker's plugin index reads.
func TestDocsFrontMatter(t *testing.T) {
	b, err := os.ReadFile("docs.md")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.SplitN(string(b), "---\n", 3)
	if len(parts) != 3 || parts[0] != "" {
		t.Fatal("docs.md does not start with a --- front matter block")
	}
	var fm struct {
		Name              string   `yaml:"name"`
		Description       string   `yaml:"description"`
		Author            string   `yaml:"author"`
		Tags              []string `yaml:"tags"`
		ContainerImage    string   `yaml:"containerImage"`
		ContainerImageURL string   `yaml:"containerImageUrl"`
		URL               string   `yaml:"url"`
		Icon              string   `yaml:"icon"`
	}
	dec := yaml.NewDecoder(strings.NewReader(parts[1]))
	dec.KnownFields(true)
	if err := dec.Decode(&fm); err != nil {
		t.Fatalf("front matter: %v", err)
	}
	for k, v := range map[string]string{"name": fm.Name, "description": fm.Description, "author": fm.Author,
		"containerImage": fm.ContainerImage, "containerImageUrl": fm.ContainerImageURL, "url": fm.URL, "icon": fm.Icon} {
		if v == "" {
			t.Errorf("front matter: %s is empty", k)
		}
	}
	if len(fm.Tags) == 0 {
		t.Error("front matter: no tags")
	}
}

// TestDocsSettingsTable checks that docs.md's table lists exactly the
// plugin's settings, with their types and secrecy.
func TestDocsSettingsTable(t *testing.T) {
	b, _ := os.ReadFile("docs.md")
	row := regexp.MustCompile("(?m)^\\| `([a-z0-9_]+)` \\| ([a-z]+) \\|")
	seen := map[string]bool{}
	for _, m := range row.FindAllStringSubmatch(string(b), -1) {
		name, typ := m[1], m[2]
		s, ok := plugin.Lookup(name)
		if !ok {
			t.Errorf("docs.md documents %s, which the plugin does not know", name)
			continue
		}
		seen[name] = true
		want := docTypes[s.Kind]
		if s.Secret {
			want = "secret"
		}
		if typ != want {
			t.Errorf("docs.md: %s is documented as %s, want %s", name, typ, want)
		}
	}
	for _, s := range plugin.Settings {
		if !seen[s.Name] {
			t.Errorf("docs.md does not document setting %s", s.Name)
		}
	}
}

// TestContentYAML checks Drone's plugin index entry against the settings table.
func TestContentYAML(t *testing.T) {
	b, err := os.ReadFile("content.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Title       string   `yaml:"title"`
		Author      string   `yaml:"author"`
		Tags        []string `yaml:"tags"`
		Repo        string   `yaml:"repo"`
		Image       string   `yaml:"image"`
		License     string   `yaml:"license"`
		Readme      string   `yaml:"readme"`
		Description string   `yaml:"description"`
		Example     string   `yaml:"example"`
		Properties  map[string]struct {
			Type         string `yaml:"type"`
			DefaultValue any    `yaml:"defaultValue"`
			Description  string `yaml:"description"`
			Secret       bool   `yaml:"secret"`
			Required     bool   `yaml:"required"`
		} `yaml:"properties"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("content.yaml: %v", err)
	}
	for k, v := range map[string]string{"title": c.Title, "author": c.Author, "repo": c.Repo, "image": c.Image,
		"license": c.License, "readme": c.Readme, "description": c.Description, "example": c.Example} {
		if strings.TrimSpace(v) == "" {
			t.Errorf("content.yaml: %s is empty", k)
		}
	}
	if len(c.Tags) == 0 {
		t.Error("content.yaml: no tags")
	}
	for _, s := range plugin.Settings {
		p, ok := c.Properties[s.Name]
		switch {
		case !ok:
			t.Errorf("content.yaml: no property %s", s.Name)
		case p.Type != string(s.Kind) || p.Secret != s.Secret || p.Required != s.Required || p.Description != s.Usage:
			t.Errorf("content.yaml: property %s = %+v; want type %s, secret %v, required %v, description %q", s.Name, p, s.Kind, s.Secret, s.Required, s.Usage)
		}
	}
	for name, p := range c.Properties {
		if _, ok := plugin.Lookup(name); !ok {
			t.Errorf("content.yaml: property %s is not a setting", name)
		}
		if want := map[string]string{"string": "string", "number": "int", "boolean": "bool", "array": "[]interface {}", "object": "map[string]interface {}"}[p.Type]; fmt.Sprintf("%T", p.DefaultValue) != want {
			t.Errorf("content.yaml: %s defaultValue %#v is not a %s", name, p.DefaultValue, p.Type)
		}
	}
	steps := checkPipelines(t, "content.yaml example", c.Example)
	if steps < 2 {
		t.Errorf("content.yaml example has %d plugin steps, want the checkpoint and the rollback", steps)
	}
}

// TestDocsExamples parses every YAML and JSON block in docs.md; each plugin
// step must use known settings and load as the runner would pass it.
func TestDocsExamples(t *testing.T) {
	all, err := doctest.Blocks("drone/docs.md")
	if err != nil {
		t.Fatal(err)
	}
	var steps, blocks int
	for _, b := range all {
		if b.Lang != "yaml" && b.Lang != "json" {
			continue
		}
		blocks++
		where := fmt.Sprintf("docs.md block %d", blocks)
		if b.Lang == "json" {
			var v map[string]any
			if err := json.Unmarshal([]byte(b.Text), &v); err != nil {
				t.Errorf("%s: %v", where, err)
			}
			continue
		}
		steps += checkPipelines(t, where, b.Text)
	}
	if blocks < 5 || steps < 8 {
		t.Errorf("docs.md: %d blocks with %d plugin steps; the examples are missing", blocks, steps)
	}
}

// checkPipelines parses a (multi-document) pipeline file and checks every
// step whose image is the plugin. It returns the number of such steps.
func checkPipelines(t *testing.T, where, text string) int {
	t.Helper()
	docs, err := doctest.YAMLDocuments(text)
	if err != nil {
		t.Errorf("%s: %v", where, err)
		return 0
	}
	n := 0
	for _, doc := range docs {
		drone := doc["kind"] == "pipeline"
		list, ok := doc["steps"].([]any)
		if !ok {
			t.Errorf("%s: no steps list", where)
			continue
		}
		for _, x := range list {
			st, _ := x.(map[string]any)
			img, _ := st["image"].(string)
			if !strings.Contains(img, "savepoint-plugin") {
				continue
			}
			n++
			set, ok := st["settings"].(map[string]any)
			if !ok {
				t.Errorf("%s: step %v has no settings", where, st["name"])
				continue
			}
			env := encodeSettings(t, fmt.Sprintf("%s step %v", where, st["name"]), set, drone)
			for k, v := range eventOf(doc, st, drone) {
				env[k] = v
			}
			if _, err := plugin.Load(settings.MapEnv(env)); err != nil {
				t.Errorf("%s step %v: %v", where, st["name"], err)
			}
		}
	}
	return n
}

// encodeSettings checks each setting's shape and encodes it the way the
// runner does: PLUGIN_<KEY> (Drone keeps hyphens, Woodpecker turns them
// into underscores), lists of scalars comma-joined, maps as JSON, from_secret
// replaced by the secret's value.
func encodeSettings(t *testing.T, where string, set map[string]any, drone bool) map[string]string {
	env := map[string]string{}
	for key, v := range set {
		s, ok := plugin.Lookup(settings.Normalize(key))
		if !ok {
			t.Errorf("%s: unknown setting %s", where, key)
			continue
		}
		k := strings.ToUpper(key)
		if !drone {
			k = strings.NewReplacer("-", "_", ".", "_").Replace(k)
		}
		k = "PLUGIN_" + k
		switch v := v.(type) {
		case map[string]any:
			if _, secret := v["from_secret"]; secret {
				if !s.Secret {
					t.Errorf("%s: %s comes from a secret but is not a secret setting", where, key)
				}
				env[k] = "secret-value-of-" + key
				continue
			}
			if s.Kind != plugin.Pairs {
				t.Errorf("%s: %s is a map, want %s", where, key, s.Kind)
			}
			j, _ := json.Marshal(v)
			env[k] = string(j)
		case []any:
			if s.Kind != plugin.List && s.Kind != plugin.Pairs {
				t.Errorf("%s: %s is a list, want %s", where, key, s.Kind)
			}
			var items []string
			for _, it := range v {
				items = append(items, fmt.Sprint(it))
			}
			env[k] = strings.Join(items, ",")
		default:
			if s.Secret {
				t.Errorf("%s: secret setting %s is written in the pipeline; use from_secret", where, key)
			}
			if s.Kind == plugin.Pairs {
				t.Errorf("%s: %s should be a map", where, key)
			}
			env[k] = fmt.Sprint(v)
		}
	}
	return env
}

// eventOf picks the event a step runs on from its when, the pipeline's
// trigger (Drone) or when (Woodpecker), with a deploy target.
func eventOf(doc, st map[string]any, drone bool) map[string]string {
	first := func(v any) string {
		switch v := v.(type) {
		case string:
			return v
		case []any:
			if len(v) > 0 {
				return fmt.Sprint(v[0])
			}
		}
		return ""
	}
	var ev, eval string
	if w, ok := st["when"].(map[string]any); ok {
		ev = first(w["event"])
		eval, _ = w["evaluate"].(string)
	}
	if ev == "" {
		if tr, ok := doc["trigger"].(map[string]any); ok {
			ev = first(tr["event"])
		}
		if ws, ok := doc["when"].([]any); ok && len(ws) > 0 {
			if w, ok := ws[0].(map[string]any); ok {
				ev = first(w["event"])
			}
		}
	}
	if drone {
		return map[string]string{"DRONE_BUILD_EVENT": ev, "DRONE_DEPLOY_TO": "production"}
	}
	task := "deploy"
	if strings.Contains(eval, `== "rollback"`) {
		task = "rollback"
	}
	return map[string]string{"CI_PIPELINE_EVENT": ev, "CI_PIPELINE_DEPLOY_TARGET": "production", "CI_PIPELINE_DEPLOY_TASK": task}
}
