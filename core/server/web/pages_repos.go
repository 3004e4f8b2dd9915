package web

import (
	"net/http"
	"slices"
	"time"

	"github.com/savepoint-ci/savepoint/core/snapshot"
)

// ChartDays is the span of the stored-bytes chart.
const ChartDays = 30

// handleHome lists the repositories the viewer's token covers (GET /).
func (v *View) handleHome(w http.ResponseWriter, r *http.Request, vw *viewer) {
	names, err := v.visible(r.Context(), vw)
	if err != nil {
		v.fail(w, r, vw, err)
		return
	}
	var rows []summary
	var total int64
	for _, name := range names {
		s, err := v.summarize(r.Context(), name)
		if err != nil {
			v.fail(w, r, vw, err)
			return
		}
		rows = append(rows, s)
		total += s.StoredBytes
	}
	v.render(w, r, http.StatusOK, "home", vw, struct {
		Repos []summary
		Total int64
	}{rows, total}, titled("Repositories", "home"))
}

// repoData is the repository page's.
type repoData struct {
	summary
	Chart     any
	ChartDays int
	Newest    []*snapshot.Snapshot // newest first
	// A and B preselect the diff form: the two newest snapshots.
	A, B string
}

// handleRepo shows one repository: its figures, the chart of its stored
// bytes, its snapshots with their provenance and the diff form.
func (v *View) handleRepo(w http.ResponseWriter, r *http.Request, vw *viewer) {
	name := r.PathValue("repo")
	s, err := v.summarize(r.Context(), name)
	if err != nil {
		v.fail(w, r, vw, err)
		return
	}
	if !s.Exists {
		v.problem(w, r, vw, http.StatusNotFound, "No repository "+name, "There is no repository of that name on this server yet: 'savepoint init' creates it.")
		return
	}
	d := repoData{summary: s, ChartDays: ChartDays}
	if s.Managed {
		list, err := v.o.Service.AllSnapshots(r.Context(), name)
		if err != nil {
			v.fail(w, r, vw, err)
			return
		}
		d.Newest = slices.Clone(list)
		slices.Reverse(d.Newest)
	}
	to := v.o.Now()
	from := to.Add(-ChartDays * 24 * time.Hour)
	hist, err := v.o.Service.History(r.Context(), name, from)
	if err != nil {
		v.fail(w, r, vw, err)
		return
	}
	if len(hist) > 0 && hist[0].At.After(from) {
		from = hist[0].At.Add(-to.Sub(hist[0].At) / 20) // a young repository: its whole life
		if to.Sub(from) < time.Hour {
			from = to.Add(-time.Hour)
		}
	}
	d.Chart = chart(hist, from, to)
	if len(d.Newest) > 0 {
		d.B = d.Newest[0].ID.String()
		d.A = d.B
	}
	if len(d.Newest) > 1 {
		d.A = d.Newest[1].ID.String()
	}
	v.render(w, r, http.StatusOK, "repo", vw, d, titled(name, "snapshots"))
}
