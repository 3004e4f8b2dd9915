package restore

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/tree"
)

// maxPath is the longest path restore writes below its target, in bytes
// (Linux's PATH_MAX less its NUL). It also bounds the depth of the trees
// restore reads.
const maxPath = 4095

// item is one node to restore, with its path relative to the target.
type item struct {
	rel  string
	node *tree.Node
}

// plan walks the snapshot's trees and returns the included entries, every
// directory before what it holds. Entries that cannot be restored safely
// are refused here, before anything is written: invalid names and unknown
// types (with everything below them), paths longer than maxPath, link
// targets that are empty or overlong, files whose declared size their
// content list does not back; on Windows also names Windows cannot hold
// or would take for another entry's (names.go). A chunk missing from the
// index fails the whole restore (the repository is damaged; verify says
// more).
func (r *restorer) plan(ctx context.Context, trees tree.Loader, root repository.ID, incl *includer, length tree.ChunkLength) ([]item, error) {
	var all []item
	var folded map[string]string // on Windows: the paths so far, case-folded
	if windowsNames {
		folded = map[string]string{}
	}
	err := tree.Walk(ctx, trees, root, "", func(p string, n *tree.Node) error {
		if err := tree.Check(n); err != nil {
			r.refuseShown(shownEntry(p, n.Name), err.Error())
			return tree.SkipDir
		}
		if folded != nil {
			if why := windowsEntryProblem(folded, p, n.Name); why != "" {
				r.refuse(p, why)
				return tree.SkipDir
			}
		}
		if len(p) > maxPath {
			r.refuse(p, fmt.Sprintf("path longer than %d bytes", maxPath))
			return tree.SkipDir
		}
		all = append(all, item{rel: p, node: n})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the snapshot's trees: %w", err)
	}
	if incl != nil {
		if all = incl.filter(all); len(all) == 0 {
			return nil, fmt.Errorf("no file in the snapshot matches %s", strings.Join(incl.patterns, ", "))
		}
	}
	out := all[:0]
	for _, it := range all {
		if it.node.Type == tree.File {
			if err := tree.CheckSize(it.node, length); err != nil {
				if errors.Is(err, repository.ErrBlobNotFound) {
					return nil, fmt.Errorf("%s: %w", tree.PrintablePath(it.rel), err)
				}
				r.refuse(it.rel, err.Error())
				continue
			}
		}
		out = append(out, it)
	}
	return out, nil
}

// includer selects paths: a pattern matches a path, any of its parents, or
// (without a slash) any base name.
type includer struct{ patterns []string }

func newIncluder(patterns []string) (*includer, error) {
	if len(patterns) == 0 {
		return nil, nil
	}
	for _, p := range patterns {
		if _, err := path.Match(p, ""); err != nil {
			return nil, fmt.Errorf("bad include pattern %q: %v", p, err)
		}
	}
	return &includer{patterns: patterns}, nil
}

// filter keeps the matching items and the directories that lead to them.
func (in *includer) filter(all []item) []item {
	keep := map[string]bool{}
	for _, it := range all {
		if in.match(it.rel) {
			for d := path.Dir(it.rel); d != "." && !keep[d]; d = path.Dir(d) {
				keep[d] = true
			}
			keep[it.rel] = true
		}
	}
	var out []item
	for _, it := range all {
		if keep[it.rel] {
			out = append(out, it)
		}
	}
	return out
}

func (in *includer) match(rel string) bool {
	for _, p := range in.patterns {
		p = strings.TrimSuffix(strings.TrimPrefix(p, "./"), "/")
		if !strings.Contains(p, "/") {
			for _, part := range strings.Split(rel, "/") {
				if ok, _ := path.Match(p, part); ok {
					return true
				}
			}
			continue
		}
		for q := rel; q != "."; q = path.Dir(q) {
			if ok, _ := path.Match(p, q); ok {
				return true
			}
		}
	}
	return false
}
