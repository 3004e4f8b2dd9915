package engine

import (
	"testing"

	"github.com/savepoint-ci/savepoint/internal/doctest"
	"gopkg.in/yaml.v3"
)

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

// stepWith returns the `with` of the step with the given id in a workflow.
func stepWith(t *testing.T, workflow, id string) map[string]string {
	t.Helper()
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				ID   string            `yaml:"id"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal([]byte(workflow), &wf); err != nil {
		t.Fatal(err)
	}
	for _, j := range wf.Jobs {
		for _, s := range j.Steps {
			if s.ID == id {
				return s.With
			}
		}
	}
	t.Fatalf("no step %s in the workflow", id)
	return nil
}
