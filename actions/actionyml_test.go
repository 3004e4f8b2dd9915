package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/savepoint-ci/savepoint/internal/doctest"
)

// actionYML is the part of action.yml the tests check.
type actionYML struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Branding    struct {
		Icon  string `yaml:"icon"`
		Color string `yaml:"color"`
	} `yaml:"branding"`
	Inputs map[string]struct {
		Description string `yaml:"description"`
		Required    bool   `yaml:"required"`
		Default     string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
	} `yaml:"outputs"`
	Runs struct {
		Using  string `yaml:"using"`
		Main   string `yaml:"main"`
		Post   string `yaml:"post"`
		PostIf string `yaml:"post-if"`
	} `yaml:"runs"`
}

func loadActionYML(t *testing.T) *actionYML {
	t.Helper()
	b, err := os.ReadFile(actionYMLPath)
	if err != nil {
		t.Fatal(err)
	}
	var a actionYML
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return &a
}

func TestActionYML(t *testing.T) {
	a := loadActionYML(t)
	if a.Name == "" || a.Description == "" || a.Branding.Icon == "" || a.Branding.Color == "" {
		t.Errorf("name, description and branding are required for the Marketplace: %+v", a)
	}
	// The action runs on the runner (node), its launcher and post step in
	// this repository.
	if a.Runs.Using != "node24" || a.Runs.PostIf != "always()" {
		t.Errorf("runs: %+v, want node24 with a post step that always runs", a.Runs)
	}
	for _, f := range []string{a.Runs.Main, a.Runs.Post, "actions/node/release.json"} {
		if _, err := os.Stat(filepath.Join(filepath.Dir(actionYMLPath), f)); f == "" || err != nil {
			t.Errorf("runs names %q: %v", f, err)
		}
	}
	for name, in := range a.Inputs {
		if !regexp.MustCompile(`^[a-z][a-z0-9_]*$`).MatchString(name) {
			t.Errorf("input %q is not snake_case", name)
		}
		if in.Description == "" {
			t.Errorf("input %q has no description", name)
		}
	}
	if d := a.Inputs["token"].Default; d != "${{ github.token }}" {
		t.Errorf("token default = %q", d)
	}
	if d := a.Inputs["job_status"].Default; d != "${{ job.status }}" {
		t.Errorf("job_status default = %q: the post step needs the job's status", d)
	}
	for _, out := range []string{"snapshot_id", "bytes_new", "bytes_total", "files", "dedup_ratio", "requests", "cache_hit"} {
		if _, ok := a.Outputs[out]; !ok {
			t.Errorf("output %s is not declared", out)
		}
	}
}

// TestInputsDeclaredAndRead: every input in action.yml is in the Go table
// and read by the entrypoint; every input read is in the table (get panics
// otherwise) and in action.yml.
func TestInputsDeclaredAndRead(t *testing.T) {
	a := loadActionYML(t)
	var yml, table []string
	for name := range a.Inputs {
		yml = append(yml, name)
	}
	table = append(table, inputs...)
	sort.Strings(yml)
	sorted := slices.Sorted(slices.Values(table))
	if !slices.Equal(yml, sorted) {
		t.Errorf("action.yml inputs and the table differ:\naction.yml: %v\ntable:      %v", yml, sorted)
	}
	// Scan the entrypoint's source for the inputs it reads.
	read := map[string]bool{}
	call := regexp.MustCompile(`\b(?:get|list|lines|bool)\("([a-z0-9_]+)"`)
	keep := regexp.MustCompile(`\{"(keep_[a-z]+)", "--keep-`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(b), -1) {
			read[m[1]] = true
		}
		for _, m := range keep.FindAllStringSubmatch(string(b), -1) {
			read[m[1]] = true
		}
	}
	// Secret inputs are also read by maskSecrets, through secretInputs.
	for _, name := range secretInputs {
		if !declared(name) {
			t.Errorf("secret input %q is not declared", name)
		}
	}
	for name := range read {
		if !declared(name) {
			t.Errorf("the entrypoint reads input %q, which is not declared", name)
		}
	}
	for _, name := range table {
		if !read[name] {
			t.Errorf("input %q is declared but never read", name)
		}
	}
}

// TestInputForms: an input arrives as INPUT_SAVE_ON or INPUT_SAVE-ON; the
// snake_case form wins when both are set.
func TestInputForms(t *testing.T) {
	env := map[string]string{}
	r := inputReader{getenv: func(k string) string { return env[k] }}
	env["INPUT_S3-PATH-STYLE"] = " true "
	if got := r.get("s3_path_style"); got != "true" {
		t.Errorf("hyphen form: %q", got)
	}
	env["INPUT_S3_PATH_STYLE"] = "false"
	if got := r.get("s3_path_style"); got != "false" {
		t.Errorf("snake form should win: %q", got)
	}
	env["INPUT_PATHS"] = "a, b\n# comment\n\n c \n"
	if got := r.list("paths"); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("list = %q", got)
	}
	env["INPUT_COMMANDS"] = "db=pg_dump -t a,b app\nfiles=tar c ."
	if got := r.lines("commands"); !slices.Equal(got, []string{"db=pg_dump -t a,b app", "files=tar c ."}) {
		t.Errorf("lines = %q", got)
	}
	defer func() {
		if recover() == nil {
			t.Errorf("reading an undeclared input did not panic")
		}
	}()
	r.get("undeclared_input")
}

// TestReleaseWorkflowFillsManifest: the release workflow builds the
// assets with make action-release, commits their release.json as the
// launcher's and publishes the .gz files, so that a tagged release names
// exactly the binaries it publishes.
func TestReleaseWorkflowFillsManifest(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(filepath.Dir(actionYMLPath), ".github", "workflows", "release.yml"))
	if err != nil {
		t.Fatal(err)
	}
	steps, err := doctest.WorkflowSteps(string(b))
	if err != nil {
		t.Fatal(err)
	}
	var runs []string
	for _, s := range steps {
		runs = append(runs, s.Run)
	}
	all := strings.Join(runs, "\n")
	for _, want := range []string{`make action-release VERSION="$VERSION"`, "cp bin/action/release.json actions/node/release.json",
		`git tag "$VERSION"`, "gh release create \"$VERSION\"", "bin/action/savepoint-action-linux-*.gz"} {
		if !strings.Contains(all, want) {
			t.Errorf("release.yml does not run %q", want)
		}
	}
}
