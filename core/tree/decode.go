package tree

import (
	"encoding/json"
	"fmt"

	"github.com/savepoint-ci/savepoint/core/repository"
)

// Decode parses a tree blob and checks that its nodes are sorted by name
// without duplicates; errors wrap repository.ErrCorrupted. (Load does the
// same; FuzzDecodeTree fuzzes this.)
func Decode(data []byte) (*Tree, error) {
	var t Tree
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("malformed tree: %v: %w", err, repository.ErrCorrupted)
	}
	for i, n := range t.Nodes {
		if i > 0 && t.Nodes[i-1].Name >= n.Name {
			return nil, fmt.Errorf("tree not sorted or with duplicate names: %w", repository.ErrCorrupted)
		}
	}
	return &t, nil
}
