package doctest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
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

// readmeYAML returns the yaml block under the README heading that starts with prefix.
func readmeYAML(t *testing.T, prefix string) string {
	t.Helper()
	blocks, err := Blocks("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		if strings.HasPrefix(b.Heading, prefix) && b.Lang == "yaml" {
			return b.Text
		}
	}
	t.Fatalf("README has no yaml block under %q", prefix)
	return ""
}

// The GitHub example's savepoint step may only use inputs action.yml declares.
func TestReadmeGitHubExample(t *testing.T) {
	steps, err := ActionSteps(readmeYAML(t, "60 seconds on GitHub"))
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) == 0 {
		t.Fatal("README GitHub example has no savepoint step")
	}
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
	var doc struct {
		Include []struct {
			Component string         `yaml:"component"`
			Inputs    map[string]any `yaml:"inputs"`
		} `yaml:"include"`
	}
	if err := yaml.Unmarshal([]byte(readmeYAML(t, "60 seconds on GitLab")), &doc); err != nil {
		t.Fatal(err)
	}
	name := regexp.MustCompile(`/([a-z-]+)@`)
	if len(doc.Include) == 0 {
		t.Fatal("README GitLab example includes no component")
	}
	for _, inc := range doc.Include {
		m := name.FindStringSubmatch(inc.Component)
		if m == nil {
			t.Fatalf("cannot read the component name of %q", inc.Component)
		}
		raw, err := os.ReadFile(filepath.Join(Root(), "gitlab", "templates", m[1]+".yml"))
		if err != nil {
			t.Fatalf("README includes component %q, which gitlab/templates lacks", m[1])
		}
		var spec struct {
			Spec struct {
				Inputs map[string]any `yaml:"inputs"`
			} `yaml:"spec"`
		}
		dec := yaml.NewDecoder(strings.NewReader(string(raw)))
		if err := dec.Decode(&spec); err != nil {
			t.Fatal(err)
		}
		for k := range inc.Inputs {
			if _, ok := spec.Spec.Inputs[k]; !ok {
				t.Errorf("README GitLab example passes input %q to %s, which does not declare it", k, m[1])
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
	var doc struct {
		Steps []struct {
			Image    string         `yaml:"image"`
			Settings map[string]any `yaml:"settings"`
		} `yaml:"steps"`
	}
	if err := yaml.Unmarshal([]byte(readmeYAML(t, "60 seconds on Drone")), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Steps) == 0 || len(doc.Steps[0].Settings) == 0 {
		t.Fatal("README Drone example has no plugin step")
	}
	for _, s := range doc.Steps {
		for k := range s.Settings {
			if _, ok := content.Properties[k]; !ok {
				t.Errorf("README Drone example uses setting %q, which drone/content.yaml does not declare", k)
			}
		}
	}
}
