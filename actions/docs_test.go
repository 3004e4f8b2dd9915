package main

import (
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/savepoint-ci/savepoint/internal/doctest"
)

// TestDocsExamples parses every YAML block of docs/github.md: workflows and
// step lists must be valid YAML, every savepoint step may only use inputs
// action.yml declares, and its inputs must pass the entrypoint's own
// validation (with expressions replaced by sample values).
func TestDocsExamples(t *testing.T) {
	blocks := doctest.Under(t, "docs/github.md", "", "yaml") // under any heading
	if len(blocks) < 5 {
		t.Fatalf("found %d yaml blocks in docs/github.md", len(blocks))
	}
	a := loadActionYML(t)
	expr := regexp.MustCompile(`\$\{\{[^}]*\}\}`)
	var savepointSteps int
	seen := map[string]bool{}
	for i, block := range blocks {
		var doc struct {
			Jobs map[string]struct {
				Steps []doctest.WorkflowStep `yaml:"steps"`
			} `yaml:"jobs"`
			Steps []doctest.WorkflowStep `yaml:"steps"`
			Runs  *struct {
				Using string `yaml:"using"`
				Image string `yaml:"image"`
			} `yaml:"runs"`
		}
		if err := yaml.Unmarshal([]byte(block), &doc); err != nil {
			t.Errorf("block %d: %v\n%s", i, err, block)
			continue
		}
		steps := doc.Steps
		for _, j := range doc.Jobs {
			steps = append(steps, j.Steps...)
		}
		if doc.Runs != nil {
			t.Errorf("block %d shows a runs: section; the action has one runtime (action.yml's)", i)
			continue
		}
		if len(steps) == 0 {
			t.Errorf("block %d has no steps:\n%s", i, block)
		}
		for _, s := range steps {
			if !strings.HasPrefix(s.Uses, "savepoint-ci/savepoint@") {
				continue
			}
			savepointSteps++
			env := map[string]string{}
			for k, v := range s.With {
				if _, ok := a.Inputs[k]; !ok {
					t.Errorf("block %d: input %q is not declared in action.yml", i, k)
				}
				env["INPUT_"+strings.ToUpper(k)] = expr.ReplaceAllString(v, "sample")
			}
			cfg, err := parseConfig(inputReader{getenv: func(k string) string { return env[k] }})
			if err != nil {
				t.Errorf("block %d: step with %v: %v", i, s.With, err)
				continue
			}
			seen[cfg.command+"/"+cfg.saveOn+"/"+cfg.onFailure] = true
		}
	}
	for _, want := range []string{"save/post/", "checkpoint/now/rollback", "forget/now/", "prune/now/", "verify/now/", "rollback/now/", "restore/now/"} {
		if !seen[want] {
			t.Errorf("no example of %s (command/save_on/on_failure); have %v", want, seen)
		}
	}
}
