package rollback

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/savepoint-ci/savepoint/core/provenance"
)

const docPath = "../../docs/rollback.md"

// yamlBlocks returns the ```yaml blocks of a Markdown file.
func yamlBlocks(t *testing.T, md string) []string {
	var blocks []string
	var cur *strings.Builder
	for _, line := range strings.Split(md, "\n") {
		switch {
		case cur == nil && strings.TrimSpace(line) == "```yaml":
			cur = &strings.Builder{}
		case cur != nil && strings.TrimSpace(line) == "```":
			blocks = append(blocks, cur.String())
			cur = nil
		case cur != nil:
			cur.WriteString(line + "\n")
		}
	}
	if cur != nil {
		t.Fatal("unterminated ```yaml block")
	}
	return blocks
}

// TestDocYAML parses every YAML snippet of docs/rollback.md (every
// document of multi-document snippets) and checks the CI ones mention
// savepoint.
func TestDocYAML(t *testing.T) {
	b, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	blocks := yamlBlocks(t, string(b))
	if len(blocks) < 4 {
		t.Fatalf("%d yaml blocks, want the GitHub (2), GitLab and Drone walk-throughs", len(blocks))
	}
	for i, blk := range blocks {
		dec := yaml.NewDecoder(bytes.NewReader([]byte(blk)))
		docs := 0
		for {
			var v map[string]any
			err := dec.Decode(&v)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("yaml block %d: %v\n%s", i+1, err, blk)
			}
			if len(v) == 0 {
				t.Errorf("yaml block %d: empty document", i+1)
			}
			docs++
		}
		if docs == 0 || !strings.Contains(blk, "savepoint ") {
			t.Errorf("yaml block %d: %d documents, mentions savepoint: %v", i+1, docs, strings.Contains(blk, "savepoint "))
		}
	}
}

// TestDocProvenanceKeys: every provenance key is documented in the table.
func TestDocProvenanceKeys(t *testing.T) {
	b, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range provenance.Keys {
		if !strings.Contains(string(b), "| `"+k+"` |") {
			t.Errorf("provenance key %s is not in the table of docs/rollback.md", k)
		}
	}
}
