package doctest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// Include is a component a GitLab pipeline includes, with the inputs it
// passes.
type Include struct {
	Component string         `yaml:"component"`
	Inputs    map[string]any `yaml:"inputs"`
}

// Name is the component's name, NAME of HOST/PROJECT/NAME@VERSION, or ""
// when Component does not have that form.
func (i Include) Name() string {
	slash, at := strings.LastIndex(i.Component, "/"), strings.LastIndex(i.Component, "@")
	if slash < 0 || at < slash+2 {
		return ""
	}
	return i.Component[slash+1 : at]
}

// GitLabIncludes returns the components a GitLab pipeline includes.
func GitLabIncludes(pipeline string) ([]Include, error) {
	var doc struct {
		Include []Include `yaml:"include"`
	}
	err := yaml.Unmarshal([]byte(pipeline), &doc)
	return doc.Include, err
}

// ComponentInput is an input a component of gitlab/templates declares.
type ComponentInput struct {
	Regex string `yaml:"regex"`
}

// ComponentInputs returns the inputs that the spec: header of component
// name (gitlab/templates/NAME.yml) declares.
func ComponentInputs(name string) (map[string]ComponentInput, error) {
	b, err := os.ReadFile(filepath.Join(Root(), "gitlab", "templates", name+".yml"))
	if err != nil {
		return nil, err
	}
	var tpl struct {
		Spec struct {
			Inputs map[string]ComponentInput `yaml:"inputs"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(b, &tpl); err != nil {
		return nil, fmt.Errorf("component %s: %w", name, err)
	}
	return tpl.Spec.Inputs, nil
}

// PipelineStep is a step of a Drone or Woodpecker pipeline, as far as the
// tests look at one.
type PipelineStep struct {
	Image    string         `yaml:"image"`
	Settings map[string]any `yaml:"settings"`
}

// PipelineSteps returns the steps of a Drone or Woodpecker pipeline (one
// YAML document).
func PipelineSteps(pipeline string) ([]PipelineStep, error) {
	var doc struct {
		Steps []PipelineStep `yaml:"steps"`
	}
	err := yaml.Unmarshal([]byte(pipeline), &doc)
	return doc.Steps, err
}
