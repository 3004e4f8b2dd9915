// Package restore writes a snapshot's files into a target directory. It
// reads packs, not files: the blobs needed are grouped by pack and each
// pack region is fetched with one ranged read, decoded, checked against its
// ID and written to every file that uses it. Nothing is ever written outside
// the target: names are checked, symlinks found in the target are replaced,
// never followed, and links pointing out of the target are refused.
package restore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/savepoint-ci/savepoint/core/progress"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/tree"
)

// Options configure a restore.
type Options struct {
	Target   string
	Includes []string // glob patterns; empty restores everything
	// AllowOutsideLinks restores symlinks whose target is absolute or
	// leaves the target directory (a virtualenv's python link, say).
	AllowOutsideLinks bool
	Reporter          progress.Reporter
}

// Result describes a restore.
type Result struct {
	Files       int64            `json:"files"`
	Dirs        int64            `json:"dirs"`
	Symlinks    int64            `json:"symlinks"`
	Bytes       int64            `json:"bytes"`
	Refused     []string         `json:"refused,omitempty"`
	DurationSec float64          `json:"duration_seconds"`
	Requests    storage.Requests `json:"requests"`
}

// ErrRefused is wrapped by the error returned when entries were refused.
var ErrRefused = errors.New("entries refused")

// item is one node to restore, with its path relative to the target.
type item struct {
	rel  string
	node *tree.Node
}

// Run restores snap into opts.Target.
func Run(ctx context.Context, repo *repository.Repository, snap *snapshot.Snapshot, opts Options) (Result, error) {
	start := time.Now()
	var res Result
	if opts.Target == "" {
		return res, errors.New("no target directory given: use --target DIR")
	}
	if snap.Tree == nil {
		return res, fmt.Errorf("snapshot %s holds no files", snap.ID.Short())
	}
	if err := repo.LoadIndex(ctx); err != nil {
		return res, err
	}
	if err := os.MkdirAll(opts.Target, 0o755); err != nil {
		return res, fmt.Errorf("creating the target: %v", err)
	}
	target, err := filepath.EvalSymlinks(opts.Target)
	if err != nil {
		return res, fmt.Errorf("target: %v", err)
	}
	if target, err = filepath.Abs(target); err != nil {
		return res, err
	}
	incl, err := newIncluder(opts.Includes)
	if err != nil {
		return res, err
	}
	r := &restorer{repo: repo, target: target, opts: opts, rep: progress.Or(opts.Reporter)}
	items, err := r.plan(ctx, *snap.Tree, incl)
	if err != nil {
		return res, err
	}
	if err := r.execute(ctx, items); err != nil {
		return res, err
	}
	res = Result{
		Files: r.files.Load(), Dirs: r.dirs.Load(), Symlinks: r.links.Load(), Bytes: r.bytes.Load(),
		Refused: r.refused, DurationSec: time.Since(start).Seconds(), Requests: repo.Requests(), // the whole handle's requests: opening, finding the snapshot, reading
	}
	r.rep.Done()
	if len(r.refused) > 0 {
		return res, fmt.Errorf("%d %w (first: %s)", len(r.refused), ErrRefused, r.refused[0])
	}
	return res, nil
}

type restorer struct {
	repo    *repository.Repository
	target  string
	opts    Options
	rep     progress.Reporter
	prog    progress.Counters
	refused []string

	files, dirs, links, bytes atomic.Int64
}

func (r *restorer) refuse(rel, why string) {
	r.refused = append(r.refused, rel+": "+why)
	r.rep.Warn("refused " + rel + ": " + why)
}

// plan walks the snapshot's tree, checks every name and selects the
// included nodes plus the directories that lead to them.
func (r *restorer) plan(ctx context.Context, root repository.ID, incl *includer) ([]item, error) {
	var all []item
	err := tree.Walk(ctx, r.repo, root, "", func(p string, n *tree.Node) error {
		if !tree.ValidName(n.Name) {
			r.refuse(p, "invalid name")
			return tree.SkipDir
		}
		switch n.Type {
		case tree.File, tree.Dir, tree.Symlink:
		default:
			r.refuse(p, "unknown node type "+n.Type)
			return tree.SkipDir
		}
		all = append(all, item{rel: p, node: n})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the snapshot's trees: %w", err)
	}
	if incl == nil {
		return all, nil
	}
	keep := map[string]bool{}
	var out []item
	for _, it := range all {
		if incl.match(it.rel) {
			for d := path.Dir(it.rel); d != "." && !keep[d]; d = path.Dir(d) {
				keep[d] = true
			}
			keep[it.rel] = true
		}
	}
	for _, it := range all {
		if keep[it.rel] {
			out = append(out, it)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no file in the snapshot matches %s", strings.Join(incl.patterns, ", "))
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

// sortByDepth orders directories deepest first, for setting their metadata
// after their contents.
func sortByDepth(dirs []item) {
	sort.SliceStable(dirs, func(i, j int) bool {
		return strings.Count(dirs[i].rel, "/") > strings.Count(dirs[j].rel, "/")
	})
}
