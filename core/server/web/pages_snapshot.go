package web

import (
	"net/http"
	"net/url"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/savepoint-ci/savepoint/core/server/service"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/tree"
)

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
	s, list, err := v.o.Service.Find(r.Context(), name, r.PathValue("id"))
	if err != nil {
		v.fail(w, r, vw, err)
		return
	}
	d := snapshotData{Snap: s, Path: cleanPath(r.URL.Query().Get("path"))}
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
		nodes, err := v.o.Service.Tree(r.Context(), name, s.ID.String(), d.Path)
		if err != nil {
			v.fail(w, r, vw, err)
			return
		}
		d.Entries = entries(nodes, base)
		for _, e := range d.Entries {
			if e.Type == tree.File {
				d.Files++
				d.FileBytes += e.Size
			}
		}
	}
	v.render(w, r, http.StatusOK, "snapshot", vw, d, titled("Snapshot "+s.ID.Short(), "snapshots"))
}

// entries are a directory's nodes as the listing shows them:
// directories first, then by name, as a file manager lists them.
func entries(nodes []service.TreeEntry, base string) []entry {
	out := make([]entry, 0, len(nodes))
	for _, n := range nodes {
		e := entry{Name: n.Name, Type: n.Type, Target: n.Target, Size: n.Size,
			Mode: tree.ModeString(n.Type, n.Mode), ModTime: n.MTime}
		if n.Type == tree.Dir {
			e.Link = base + "?path=" + url.QueryEscape("/"+n.Path)
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return (out[i].Type == tree.Dir) && (out[j].Type != tree.Dir) })
	return out
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
