package tree

import (
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
)

// FuzzDecodeTree decodes a stored tree. Accepted trees are sorted without
// duplicates, Find finds every node, and re-encoding is stable.
func FuzzDecodeTree(f *testing.F) {
	var id repository.ID
	id[0] = 7
	t := &Tree{Nodes: []Node{
		{Name: "a.txt", Type: File, Mode: 0o644, ModTime: 1, Size: 3, Content: []repository.ID{id}},
		{Name: "dir", Type: Dir, Mode: 0o755, Subtree: &id},
		{Name: "link", Type: Symlink, Target: "a.txt"},
	}}
	good, _ := t.Encode()
	f.Add(good)
	f.Add([]byte(`{"nodes":[{"name":"b"},{"name":"a"}]}`))
	f.Add([]byte(`{"nodes":[{"name":"..","type":"dir","subtree":"00"}]}`))
	f.Add([]byte(`{"nodes":[{"name":"x","size":18446744073709551615,"mtime_ns":-9223372036854775808}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := Decode(data)
		if err != nil {
			return
		}
		for i := range tr.Nodes {
			if n, ok := tr.Find(tr.Nodes[i].Name); !ok || n != &tr.Nodes[i] {
				t.Fatalf("Find(%q) does not find node %d", tr.Nodes[i].Name, i)
			}
		}
		enc, err := tr.Encode()
		if err != nil {
			t.Fatal(err)
		}
		again, err := Decode(enc)
		if err != nil || len(again.Nodes) != len(tr.Nodes) {
			t.Fatalf("re-encoded tree does not decode: %v", err)
		}
	})
}
