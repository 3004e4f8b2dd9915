package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/tree"
)

// findSnapshot resolves a snapshot reference (an ID or a prefix of one,
// "latest") among the repository's snapshots.
func (v *View) findSnapshot(ctx context.Context, name, ref string) (*snapshot.Snapshot, []*snapshot.Snapshot, error) {
	repo, err := v.o.Repos.Get(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	list, err := repo.Snapshots(ctx)
	if err != nil {
		return nil, nil, err
	}
	s, err := snapshot.Find(list, ref)
	if err != nil {
		return nil, list, fmt.Errorf("snapshot %q: %v: %w", ref, err, errNotFound)
	}
	return s, list, nil
}

// entry is one line of a directory listing.
type entry struct {
	Name, Type, Target string
	Size               uint64
	Mode               string
	ModTime            time.Time
	Link               string // the page of a directory; empty otherwise
}

// crumb is one step of the path above the listing.
type crumb struct{ Name, Link string }

type snapshotData struct {
	Snap       *snapshot.Snapshot
	Provenance [][2]string // sorted by key
	Parent     *snapshot.Snapshot
	Logical    int64
	Path       string
	Crumbs     []crumb
	Entries    []entry
	Files      int
	FileBytes  uint64
}

// handleSnapshot shows a snapshot: its provenance, sources and stats,
// and the directory ?path= of its tree with file sizes.
func (v *View) handleSnapshot(w http.ResponseWriter, r *http.Request, vw *viewer) {
	name := r.PathValue("repo")
	s, list, err := v.findSnapshot(r.Context(), name, r.PathValue("id"))
	if err != nil {
		v.fail(w, r, vw, err)
		return
	}
	d := snapshotData{Snap: s, Logical: logical(s), Path: cleanPath(r.URL.Query().Get("path"))}
	for k, val := range s.Provenance {
		d.Provenance = append(d.Provenance, [2]string{k, val})
	}
	sort.Slice(d.Provenance, func(i, j int) bool { return d.Provenance[i][0] < d.Provenance[j][0] })
	if s.Parent != nil {
		if i := slices.IndexFunc(list, func(p *snapshot.Snapshot) bool { return p.ID == *s.Parent }); i >= 0 {
			d.Parent = list[i]
		}
	}
	base := "/ui/" + name + "/snapshots/" + s.ID.String()
	d.Crumbs = crumbs(base, d.Path)
	if s.Tree != nil {
		repo, err := v.o.Repos.Get(r.Context(), name)
		if err != nil {
			v.fail(w, r, vw, err)
			return
		}
		err = repo.Read(r.Context(), func(rp *repository.Repository) error {
			d.Entries, err = listDir(r.Context(), rp, *s.Tree, d.Path, base)
			return err
		})
		if err != nil {
			v.fail(w, r, vw, err)
			return
		}
		for _, e := range d.Entries {
			if e.Type == tree.File {
				d.Files++
				d.FileBytes += e.Size
			}
		}
	}
	v.render(w, r, http.StatusOK, "snapshot", vw, d, titled("Snapshot "+s.ID.Short(), "snapshots"))
}

// listDir lists directory p ("/" is the root) of the tree root.
func listDir(ctx context.Context, rp *repository.Repository, root repository.ID, p, base string) ([]entry, error) {
	id := root
	if p != "/" {
		for _, part := range strings.Split(strings.Trim(p, "/"), "/") {
			t, err := tree.Load(ctx, rp, id)
			if err != nil {
				return nil, err
			}
			n, ok := t.Find(part)
			if !ok || n.Type != tree.Dir || n.Subtree == nil {
				return nil, fmt.Errorf("no directory %s in this snapshot: %w", p, errNotFound)
			}
			id = *n.Subtree
		}
	}
	t, err := tree.Load(ctx, rp, id)
	if err != nil {
		return nil, err
	}
	out := make([]entry, 0, len(t.Nodes))
	for _, n := range t.Nodes {
		e := entry{Name: n.Name, Type: n.Type, Target: n.Target, Size: n.Size,
			Mode: modeString(n), ModTime: time.Unix(0, n.ModTime)}
		if n.Type == tree.Dir {
			e.Link = base + "?path=" + url.QueryEscape(path.Join(p, n.Name))
		}
		out = append(out, e)
	}
	// Directories first, then by name, as a file manager lists them.
	sort.SliceStable(out, func(i, j int) bool { return (out[i].Type == tree.Dir) && (out[j].Type != tree.Dir) })
	return out, nil
}

// cleanPath makes ?path= an absolute, clean slash path.
func cleanPath(p string) string { return path.Clean("/" + p) }

// crumbs links each directory above and at p.
func crumbs(base, p string) []crumb {
	out := []crumb{{Name: "/", Link: base}}
	cur := ""
	for _, part := range strings.Split(strings.Trim(p, "/"), "/") {
		if part == "" {
			continue
		}
		cur += "/" + part
		out = append(out, crumb{Name: part, Link: base + "?path=" + url.QueryEscape(cur)})
	}
	return out
}

// modeString is ls's view of a node's type and permissions.
func modeString(n tree.Node) string {
	c := "-"
	switch n.Type {
	case tree.Dir:
		c = "d"
	case tree.Symlink:
		c = "l"
	}
	const rwx = "rwxrwxrwx"
	b := []byte(c + "---------")
	for i := range 9 {
		if n.Mode&(1<<(8-i)) != 0 {
			b[i+1] = rwx[i]
		}
	}
	return string(b)
}
