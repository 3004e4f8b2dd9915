package tree

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/internal/doctest"
)

// The example of docs/FORMAT.md's "Holes and sparse files" is a valid
// node and reads as the text says.
func TestFormatDocHoles(t *testing.T) {
	doc := doctest.Under(t, "docs/FORMAT.md", "Holes and sparse files", "json")[0]
	doc = strings.ReplaceAll(doc, `"<blob ID>"`, `"`+strings.Repeat("ab", 32)+`"`)
	var n Node
	if err := json.Unmarshal([]byte(doc), &n); err != nil {
		t.Fatal(err)
	}
	if err := Check(&n); err != nil {
		t.Fatal(err)
	}
	var order []string
	var chunks uint64
	for p := range n.Pieces() {
		if p.IsHole {
			order = append(order, "hole")
		} else {
			order = append(order, "chunk")
			chunks++
		}
	}
	if got := strings.Join(order, " "); got != "hole chunk chunk hole chunk hole" || !n.Sparse {
		t.Fatalf("the example reads as %s", got)
	}
	// Chunks of equal length that make the declared size.
	per := (n.Size - n.HoleBytes()) / chunks
	if err := CheckSize(&n, func(repository.ID) (uint32, bool) { return uint32(per), true }); err != nil || per*chunks != n.Size-n.HoleBytes() || per > 8<<20 {
		t.Fatalf("size: %v (chunks of %d bytes)", err, per)
	}
}
