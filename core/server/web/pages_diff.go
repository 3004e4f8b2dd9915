package web

import (
	"net/http"

	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/tree"
)

type diffData struct {
	A, B    *snapshot.Snapshot
	All     []*snapshot.Snapshot // newest first, for the form
	Changes []tree.Change
	Counts  map[string]int
}

// handleDiff shows what changed from snapshot ?a= to snapshot ?b=.
func (v *View) handleDiff(w http.ResponseWriter, r *http.Request, vw *viewer) {
	name := r.PathValue("repo")
	q := r.URL.Query()
	a, list, err := v.o.Service.Find(r.Context(), name, q.Get("a"))
	if err != nil {
		v.fail(w, r, vw, err)
		return
	}
	b, err := snapshot.Find(list, q.Get("b"))
	if err != nil {
		v.fail(w, r, vw, err)
		return
	}
	d := diffData{A: a, B: b, Counts: map[string]int{}}
	for i := len(list) - 1; i >= 0; i-- {
		d.All = append(d.All, list[i])
	}
	if d.Changes, err = v.o.Service.Diff(r.Context(), name, a.ID.String(), b.ID.String()); err != nil {
		v.fail(w, r, vw, err)
		return
	}
	for _, c := range d.Changes {
		d.Counts[c.Change]++
	}
	v.render(w, r, http.StatusOK, "diff", vw, d, titled("Diff "+a.ID.Short()+" → "+b.ID.Short(), "snapshots"))
}
