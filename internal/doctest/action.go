package doctest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// WorkflowStep is a step of a GitHub Actions workflow, as far as the tests
// look at one.
type WorkflowStep struct {
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]string `yaml:"with"`
}

// WorkflowSteps returns the steps of every job of a workflow.
func WorkflowSteps(workflow string) ([]WorkflowStep, error) {
	var wf struct {
		Jobs map[string]struct {
			Steps []WorkflowStep `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal([]byte(workflow), &wf); err != nil {
		return nil, err
	}
	var out []WorkflowStep
	for _, j := range wf.Jobs {
		out = append(out, j.Steps...)
	}
	return out, nil
}

// ActionSteps returns the inputs (`with`) of every step of a workflow that
// uses savepoint's GitHub Action (savepoint-ci/savepoint@REF).
func ActionSteps(workflow string) ([]map[string]string, error) {
	steps, err := WorkflowSteps(workflow)
	if err != nil {
		return nil, err
	}
	var out []map[string]string
	for _, s := range steps {
		if strings.HasPrefix(s.Uses, "savepoint-ci/savepoint@") {
			out = append(out, s.With)
		}
	}
	return out, nil
}

// UndeclaredInputs returns the inputs of with that action.yml does not
// declare.
func UndeclaredInputs(with map[string]string) ([]string, error) {
	var action struct {
		Inputs map[string]any `yaml:"inputs"`
	}
	b, err := os.ReadFile(filepath.Join(Root(), "action.yml"))
	if err != nil {
		return nil, err
	}
	if err := yaml.Unmarshal(b, &action); err != nil {
		return nil, fmt.Errorf("action.yml: %w", err)
	}
	var out []string
	for k := range with {
		if _, ok := action.Inputs[k]; !ok {
			out = append(out, k)
		}
	}
	return out, nil
}
