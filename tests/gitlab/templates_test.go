package gitlab

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/doctest"
	"gopkg.in/yaml.v3"
)

// components are the templates the component project must provide.
var components = []string{"save", "restore", "checkpoint", "rollback", "prune"}

// globalKeywords may not appear at the top level of a component's jobs
// document: they would change the including pipeline.
var globalKeywords = []string{"default", "include", "stages", "variables", "workflow", "image",
	"services", "cache", "before_script", "after_script", "pages"}

var usedInput = regexp.MustCompile(`\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*(\|[^\]]*)?\]\]`)

// projectDir is gitlab/, the root of the component project.
func projectDir(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "gitlab")
}

// template is one parsed component template.
type template struct {
	name   string
	raw    string
	spec   map[string]any
	inputs map[string]map[string]any
	jobs   map[string]any
}

func loadTemplate(t *testing.T, name string) template {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(projectDir(t), "templates", name+".yml"))
	if err != nil {
		t.Fatalf("component %s: %v", name, err)
	}
	docs, err := doctest.YAMLDocuments(string(raw))
	if err != nil {
		t.Fatalf("%s.yml does not parse: %v", name, err)
	}
	if len(docs) != 2 {
		t.Fatalf("%s.yml has %d YAML documents, want 2 (spec, then jobs)", name, len(docs))
	}
	spec, ok := docs[0]["spec"].(map[string]any)
	if !ok || len(docs[0]) != 1 {
		t.Fatalf("%s.yml: the first document must be exactly a spec: header", name)
	}
	for k := range spec {
		// GitLab rejects other keys (there is no spec:description: the
		// component's description is the comment above spec:).
		if !slices.Contains([]string{"inputs", "include", "component"}, k) {
			t.Fatalf("%s.yml: unknown key spec:%s", name, k)
		}
	}
	tp := template{name: name, raw: string(raw), spec: spec, jobs: docs[1], inputs: map[string]map[string]any{}}
	ins, _ := spec["inputs"].(map[string]any)
	for k, v := range ins {
		m, ok := v.(map[string]any)
		if !ok {
			if v != nil {
				t.Fatalf("%s.yml: input %s is not a mapping", name, k)
			}
			m = map[string]any{}
		}
		tp.inputs[k] = m
	}
	return tp
}

func TestTemplatesDeclareAndUseInputs(t *testing.T) {
	for _, name := range components {
		t.Run(name, func(t *testing.T) {
			tp := loadTemplate(t, name)
			if !strings.HasPrefix(tp.raw, "# ") {
				t.Errorf("no comment describing the component above spec:")
			}
			jobsText := tp.raw[strings.Index(tp.raw, "\n---\n"):]
			used := map[string]bool{}
			for _, m := range usedInput.FindAllStringSubmatch(jobsText, -1) {
				used[m[1]] = true
			}
			for in := range used {
				if _, ok := tp.inputs[in]; !ok {
					t.Errorf("input %q is used but not declared", in)
				}
			}
			for in, def := range tp.inputs {
				if !used[in] {
					t.Errorf("input %q is declared but never used", in)
				}
				checkInput(t, in, def)
			}
			for _, must := range []string{"stage", "job_prefix", "image", "repository"} {
				if _, ok := tp.inputs[must]; !ok {
					t.Errorf("no %q input", must)
				}
			}
		})
	}
}

// checkInput checks one input's declaration: description, a known type, a
// default of that type, options that contain the default.
func checkInput(t *testing.T, name string, def map[string]any) {
	t.Helper()
	for k := range def {
		if !slices.Contains([]string{"description", "type", "default", "options", "regex"}, k) {
			t.Errorf("input %s: unknown key %q", name, k)
		}
	}
	if d, _ := def["description"].(string); d == "" {
		t.Errorf("input %s has no description", name)
	}
	typ := "string"
	if v, ok := def["type"]; ok {
		typ, _ = v.(string)
	}
	d, hasDefault := def["default"]
	if hasDefault {
		ok := false
		switch typ {
		case "string":
			_, ok = d.(string)
		case "number":
			switch d.(type) {
			case int, float64:
				ok = true
			}
		case "boolean":
			_, ok = d.(bool)
		case "array":
			_, ok = d.([]any)
		default:
			t.Errorf("input %s: unknown type %q", name, typ)
			return
		}
		if !ok {
			t.Errorf("input %s: default %v is not a %s", name, d, typ)
		}
	}
	if opts, ok := def["options"].([]any); ok && hasDefault && !slices.Contains(opts, d) {
		t.Errorf("input %s: default %v is not among the options %v", name, d, opts)
	}
	if re, ok := def["regex"].(string); ok {
		rx, err := regexp.Compile(re)
		if err != nil {
			t.Errorf("input %s: regex %q: %v", name, re, err)
		} else if s, isStr := d.(string); isStr && hasDefault && !rx.MatchString(s) {
			t.Errorf("input %s: default %q does not match its regex %q", name, s, re)
		}
	}
}

func TestTemplatesJobs(t *testing.T) {
	for _, name := range components {
		t.Run(name, func(t *testing.T) {
			tp := loadTemplate(t, name)
			for _, kw := range globalKeywords {
				if _, ok := tp.jobs[kw]; ok {
					t.Errorf("global keyword %q in a component", kw)
				}
			}
			visible := 0
			for jobName, v := range tp.jobs {
				job, ok := v.(map[string]any)
				if !ok {
					t.Fatalf("job %q is not a mapping", jobName)
				}
				if !strings.HasPrefix(strings.TrimPrefix(jobName, "."), "$[[ inputs.job_prefix ]]-") {
					t.Errorf("job %q is not named <job_prefix>-...", jobName)
				}
				if strings.HasPrefix(jobName, ".") {
					continue
				}
				visible++
				if job["stage"] != "$[[ inputs.stage ]]" {
					t.Errorf("job %q: stage %v, want the stage input", jobName, job["stage"])
				}
				img, _ := job["image"].(map[string]any)
				if img["name"] != "$[[ inputs.image ]]" {
					t.Errorf("job %q: image %v, want name from the image input", jobName, job["image"])
				}
				if ep, _ := img["entrypoint"].([]any); len(ep) != 1 || ep[0] != "" {
					t.Errorf("job %q: entrypoint %v, want [\"\"]", jobName, img["entrypoint"])
				}
				vars, _ := job["variables"].(map[string]any)
				if vars["SAVEPOINT_REPOSITORY"] != "$[[ inputs.repository ]]" {
					t.Errorf("job %q: SAVEPOINT_REPOSITORY is not the repository input", jobName)
				}
				script := strings.Join(scriptLines(job["script"]), "\n")
				if !strings.Contains(script, "savepoint ") {
					t.Errorf("job %q does not run savepoint", jobName)
				}
				if !strings.Contains(script, "section_start") {
					t.Errorf("job %q has no log sections", jobName)
				}
				if rep, ok := job["artifacts"].(map[string]any); ok {
					reports, _ := rep["reports"].(map[string]any)
					if reports["dotenv"] == nil || reports["annotations"] == nil {
						t.Errorf("job %q: artifacts without dotenv and annotations reports", jobName)
					}
				} else if name != "prune" {
					t.Errorf("job %q has no artifacts reports", jobName)
				}
			}
			if visible != 1 {
				t.Errorf("%d visible jobs, want 1", visible)
			}
		})
	}
}

func scriptLines(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, l := range list {
		if s, ok := l.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// helperBlock is the shell helper block every template carries.
var helperBlock = regexp.MustCompile(`(?s)# --- savepoint component helpers.*?# --- end of helpers ---`)

func TestTemplatesShareHelpers(t *testing.T) {
	var first, firstName string
	for _, name := range components {
		tp := loadTemplate(t, name)
		blocks := helperBlock.FindAllString(tp.raw, -1)
		if len(blocks) == 0 {
			t.Errorf("%s.yml has no helper block", name)
		}
		for _, b := range blocks {
			if first == "" {
				first, firstName = b, name
			} else if b != first {
				t.Errorf("the helper block of %s.yml differs from %s.yml's", name, firstName)
			}
		}
	}
}

func TestProjectIncludesEveryComponent(t *testing.T) {
	dir := projectDir(t)
	raw, err := os.ReadFile(filepath.Join(dir, ".gitlab-ci.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var pipeline map[string]any
	if err := yaml.Unmarshal(raw, &pipeline); err != nil {
		t.Fatalf(".gitlab-ci.yml: %v", err)
	}
	var included []string
	incs, _ := pipeline["include"].([]any)
	for _, inc := range incs {
		m, _ := inc.(map[string]any)
		c, _ := m["component"].(string)
		if rest, ok := strings.CutPrefix(c, "$CI_SERVER_FQDN/$CI_PROJECT_PATH/"); ok {
			name, ref, _ := strings.Cut(rest, "@")
			if ref != "$CI_COMMIT_SHA" {
				t.Errorf("component %s included at %q, want $CI_COMMIT_SHA", name, ref)
			}
			included = append(included, name)
		}
	}
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range components {
		if !slices.Contains(included, name) {
			t.Errorf(".gitlab-ci.yml does not include the %s component", name)
		}
		if !strings.Contains(string(readme), "/"+name+"@") {
			t.Errorf("README.md shows no include of the %s component", name)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "templates"))
	var files []string
	for _, e := range entries {
		files = append(files, strings.TrimSuffix(e.Name(), ".yml"))
	}
	sort.Strings(files)
	want := slices.Clone(components)
	sort.Strings(want)
	if !slices.Equal(files, want) {
		t.Errorf("templates/ holds %v, want %v", files, want)
	}
	release, _ := pipeline["component-release"].(map[string]any)
	if rel, _ := release["release"].(map[string]any); rel["tag_name"] != "$CI_COMMIT_TAG" {
		t.Errorf("no release job with the release: keyword on tags")
	}
}

// TestReadmeInputTables checks that README.md documents exactly the inputs
// each template declares.
func TestReadmeInputTables(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(projectDir(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	row := regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\|")
	for _, name := range components {
		start := strings.Index(readme, "\n### "+name+"\n")
		if start < 0 {
			t.Errorf("README.md has no ### %s section", name)
			continue
		}
		section := readme[start+1:]
		if end := strings.Index(section[4:], "\n#"); end >= 0 {
			section = section[:end+4]
		}
		documented := map[string]bool{}
		for _, m := range row.FindAllStringSubmatch(section, -1) {
			documented[m[1]] = true
		}
		tp := loadTemplate(t, name)
		for in := range tp.inputs {
			if !documented[in] {
				t.Errorf("README.md: input %s of %s is not documented", in, name)
			}
			delete(documented, in)
		}
		for in := range documented {
			t.Errorf("README.md documents input %s of %s, which the template does not declare", in, name)
		}
	}
}
