package engine

import (
	"testing"

	"github.com/savepoint-ci/savepoint/internal/doctest"
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
