package doctest

import (
	"errors"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// YAMLDocuments parses text, one or more YAML documents (a pipeline file,
// a component with its spec header), into a map each, in order.
func YAMLDocuments(text string) ([]map[string]any, error) {
	dec := yaml.NewDecoder(strings.NewReader(text))
	var docs []map[string]any
	for {
		var d map[string]any
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
}
