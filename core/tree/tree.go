// Package tree defines the directory listings stored in a repository: one
// Tree blob per directory, whose nodes name files (by their content chunks),
// symlinks and subdirectories (by their tree's ID). Trees are encoded
// deterministically, so an unchanged directory always gets the same ID and
// is stored once.
package tree

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/savepoint-ci/savepoint/core/repository"
)

// Node types.
const (
	File    = "file"
	Dir     = "dir"
	Symlink = "symlink"
)

// Node is one entry of a directory.
type Node struct {
	Name    string          `json:"name"`
	Type    string          `json:"type"`
	Mode    uint32          `json:"mode"`     // permission, setuid, setgid and sticky bits
	ModTime int64           `json:"mtime_ns"` // Unix nanoseconds
	UID     uint32          `json:"uid,omitempty"`
	GID     uint32          `json:"gid,omitempty"`
	Size    uint64          `json:"size,omitempty"`
	Inode   uint64          `json:"inode,omitempty"`    // change detection only
	CTime   int64           `json:"ctime_ns,omitempty"` // change detection only
	Content []repository.ID `json:"content,omitempty"`  // file chunks, in order
	Holes   []Hole          `json:"holes,omitempty"`    // zero runs between the chunks, not stored
	Sparse  bool            `json:"sparse,omitempty"`   // the file had holes on disk: restore makes holes
	Subtree *repository.ID  `json:"subtree,omitempty"`  // dir
	Target  string          `json:"target,omitempty"`   // symlink
}

// Tree is the listing of one directory, sorted by name.
type Tree struct {
	Nodes []Node `json:"nodes"`
}

// Encode returns the deterministic encoding of t (nodes sorted by name).
func (t *Tree) Encode() ([]byte, error) {
	sort.Slice(t.Nodes, func(i, j int) bool { return t.Nodes[i].Name < t.Nodes[j].Name })
	return json.Marshal(t)
}

// Find returns the node called name.
func (t *Tree) Find(name string) (*Node, bool) {
	i := sort.Search(len(t.Nodes), func(i int) bool { return t.Nodes[i].Name >= name })
	if i < len(t.Nodes) && t.Nodes[i].Name == name {
		return &t.Nodes[i], true
	}
	return nil, false
}

// ValidName reports whether name may appear in a tree: no "/" or NUL, not
// empty, not "." or "..", at most MaxName bytes. Restore refuses entries
// that break this rule.
func ValidName(name string) bool { return checkName(name) == nil }

// Save stores t as a tree blob and returns its ID.
func Save(ctx context.Context, repo *repository.Repository, t *Tree) (repository.ID, error) {
	data, err := t.Encode()
	if err != nil {
		return repository.ID{}, err
	}
	id := repo.Hash(data)
	_, err = repo.SaveBlob(ctx, repository.TreeBlob, id, data)
	return id, err
}

// Loader reads blobs by ID; *repository.Repository is one.
type Loader interface {
	LoadBlob(ctx context.Context, id repository.ID) ([]byte, error)
}

// Load reads and decodes a tree.
func Load(ctx context.Context, repo Loader, id repository.ID) (*Tree, error) {
	data, err := repo.LoadBlob(ctx, id)
	if err != nil {
		return nil, err
	}
	t, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("tree %s: %w", id.Short(), err)
	}
	return t, nil
}

// Decode parses a tree blob and checks what concerns the tree as a whole:
// well-formed, nodes sorted by name, no name twice (two entries of one
// name, a link and a directory say, would let one be written through the
// other). Errors wrap repository.ErrCorrupted. Each node is checked on its
// own by Check, so that a reader can refuse one entry and keep the rest.
func Decode(data []byte) (*Tree, error) {
	var t Tree
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("malformed: %v: %w", err, repository.ErrCorrupted)
	}
	for i := 1; i < len(t.Nodes); i++ {
		prev, name := t.Nodes[i-1].Name, t.Nodes[i].Name
		if prev == name {
			return nil, fmt.Errorf("name %s appears twice: %w", PrintableName(name), repository.ErrCorrupted)
		}
		if prev > name {
			return nil, fmt.Errorf("names not sorted (%s before %s): %w", PrintableName(prev), PrintableName(name), repository.ErrCorrupted)
		}
	}
	return &t, nil
}
