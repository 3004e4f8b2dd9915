package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
)

type jobsData struct {
	Runner bool // the server has a jobs runner
	Jobs   []Job
	Kinds  []string
}

// handleJobs lists the repository's jobs; their progress is refreshed by
// static/app.js from jobs.json while any runs.
func (v *View) handleJobs(w http.ResponseWriter, r *http.Request, vw *viewer) {
	d := jobsData{Runner: v.o.Jobs != nil, Kinds: JobKinds}
	if d.Runner {
		var err error
		if d.Jobs, err = v.o.Jobs.List(r.Context(), r.PathValue("repo")); err != nil {
			v.fail(w, r, vw, err)
			return
		}
	}
	v.render(w, r, http.StatusOK, "jobs", vw, d, titled("Jobs", "jobs"))
}

// jobJSON is a job as jobs.json sends it to the page's script.
type jobJSON struct {
	Job
	Percent float64 `json:"percent"`
	Done    bool    `json:"done"`
}

// handleJobsJSON sends the repository's jobs as JSON (the page's live
// progress).
func (v *View) handleJobsJSON(w http.ResponseWriter, r *http.Request, vw *viewer) {
	out := []jobJSON{}
	if v.o.Jobs != nil {
		list, err := v.o.Jobs.List(r.Context(), r.PathValue("repo"))
		if err != nil {
			v.log.Error("web: listing jobs", "repo", r.PathValue("repo"), "error", err.Error())
			http.Error(w, "listing the jobs failed", http.StatusInternalServerError)
			return
		}
		for _, j := range list {
			out = append(out, jobJSON{Job: j, Percent: j.Percent(), Done: j.Done()})
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

// handleStartJob starts a job of a kind of JobKinds (POST, admin).
func (v *View) handleStartJob(w http.ResponseWriter, r *http.Request, vw *viewer) {
	if !v.jobControl(w, r, vw) {
		return
	}
	kind := r.PostFormValue("kind")
	if !slices.Contains(JobKinds, kind) {
		v.problem(w, r, vw, http.StatusBadRequest, "Unknown job kind", "The web view starts "+joinKinds()+" jobs.")
		return
	}
	repo := r.PathValue("repo")
	j, err := v.o.Jobs.Start(r.Context(), repo, JobRequest{Kind: kind, By: vw.Token.ID})
	if err != nil {
		v.problem(w, r, vw, http.StatusConflict, "The job did not start", err.Error())
		return
	}
	v.log.Info("web: job started", "repo", repo, "kind", kind, "job", j.ID, "token", vw.Token.ID)
	http.Redirect(w, r, "/ui/"+repo+"/jobs#job-"+j.ID, http.StatusSeeOther)
}

// handleCancelJob cancels a job (POST, admin).
func (v *View) handleCancelJob(w http.ResponseWriter, r *http.Request, vw *viewer) {
	if !v.jobControl(w, r, vw) {
		return
	}
	repo, id := r.PathValue("repo"), r.PathValue("id")
	err := v.o.Jobs.Cancel(r.Context(), repo, id)
	switch {
	case errors.Is(err, ErrNoJob):
		v.problem(w, r, vw, http.StatusNotFound, "No such job", "Repository "+repo+" has no job "+id+".")
		return
	case err != nil:
		v.problem(w, r, vw, http.StatusConflict, "The job was not cancelled", err.Error())
		return
	}
	v.log.Info("web: job cancelled", "repo", repo, "job", id, "token", vw.Token.ID)
	http.Redirect(w, r, "/ui/"+repo+"/jobs#job-"+id, http.StatusSeeOther)
}

// jobControl answers unless the viewer may start and cancel jobs here.
func (v *View) jobControl(w http.ResponseWriter, r *http.Request, vw *viewer) bool {
	switch {
	case !vw.Admin():
		v.problem(w, r, vw, http.StatusForbidden, "Refused", "Starting and cancelling jobs needs a token with role admin; token "+vw.Token.ID+" has role "+string(vw.Token.Role)+".")
		return false
	case v.o.Jobs == nil:
		v.problem(w, r, vw, http.StatusNotImplemented, "No jobs runner", "This server runs no jobs.")
		return false
	}
	return true
}

func joinKinds() string {
	s := ""
	for i, k := range JobKinds {
		if i > 0 {
			s += " and "
		}
		s += k
	}
	return s
}

type schedulesData struct {
	Runner    bool
	Schedules []Schedule
}

// handleSchedules lists the repository's schedules.
func (v *View) handleSchedules(w http.ResponseWriter, r *http.Request, vw *viewer) {
	d := schedulesData{Runner: v.o.Schedules != nil}
	if d.Runner {
		var err error
		if d.Schedules, err = v.o.Schedules.List(r.Context(), r.PathValue("repo")); err != nil {
			v.fail(w, r, vw, err)
			return
		}
	}
	v.render(w, r, http.StatusOK, "schedules", vw, d, titled("Schedules", "schedules"))
}
