package doctest

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"
)

func readYAML(t *testing.T, rel string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Root(), rel))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
}

// readmeExample parses, with parse, the first yaml block under the README
// heading that starts with prefix, and fails the test unless it finds
// what (steps, components) there.
func readmeExample[T any](t *testing.T, prefix, what string, parse func(string) ([]T, error)) []T {
	t.Helper()
	items, err := parse(Under(t, "README.md", prefix, "yaml")[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(items) == 0 {
		t.Fatalf("README example %q has no %s", prefix, what)
	}
	return items
}

// The GitHub example's savepoint step may only use inputs action.yml declares.
func TestReadmeGitHubExample(t *testing.T) {
	steps := readmeExample(t, "60 seconds on GitHub", "savepoint step", ActionSteps)
	for _, with := range steps {
		bad, err := UndeclaredInputs(with)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range bad {
			t.Errorf("README GitHub example uses input %q, which action.yml does not declare", k)
		}
	}
}

// The GitLab example may only include existing components with their declared inputs.
func TestReadmeGitLabExample(t *testing.T) {
	includes := readmeExample(t, "60 seconds on GitLab", "component include", GitLabIncludes)
	for _, inc := range includes {
		name := inc.Name()
		if name == "" {
			t.Fatalf("cannot read the component name of %q", inc.Component)
		}
		declared, err := ComponentInputs(name)
		if errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("README includes component %q, which gitlab/templates lacks", name)
		}
		if err != nil {
			t.Fatal(err)
		}
		for k := range inc.Inputs {
			if _, ok := declared[k]; !ok {
				t.Errorf("README GitLab example passes input %q to %s, which does not declare it", k, name)
			}
		}
	}
}

// The Drone/Woodpecker example may only use settings content.yaml declares.
func TestReadmeDroneExample(t *testing.T) {
	var content struct {
		Properties map[string]any `yaml:"properties"`
	}
	readYAML(t, "drone/content.yaml", &content)
	steps := readmeExample(t, "60 seconds on Drone", "plugin step", PipelineSteps)
	if len(steps[0].Settings) == 0 {
		t.Fatal("README Drone example's first step has no plugin settings")
	}
	for _, s := range steps {
		for k := range s.Settings {
			if _, ok := content.Properties[k]; !ok {
				t.Errorf("README Drone example uses setting %q, which drone/content.yaml does not declare", k)
			}
		}
	}
}
