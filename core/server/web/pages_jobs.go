package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/savepoint-ci/savepoint/core/server/jobs"
	"github.com/savepoint-ci/savepoint/core/server/service"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
)

type jobsData struct {
	Jobs  []Job
	Kinds []jobs.Kind
}

// jobs lists the repository's jobs, newest first, as the page shows them.
func (v *View) jobs(r *http.Request) ([]Job, error) {
	list, err := v.o.Service.JobList(r.Context(), r.PathValue("repo"))
	if err != nil {
		return nil, err
	}
	out := make([]Job, 0, len(list))
	for _, j := range list {
		out = append(out, jobView(j))
	}
	return out, nil
}

// handleJobs lists the repository's jobs; their progress is refreshed by
// static/app.js from jobs.json while any runs.
func (v *View) handleJobs(w http.ResponseWriter, r *http.Request, vw *viewer) {
	list, err := v.jobs(r)
	if err != nil {
		v.fail(w, r, vw, err)
		return
	}
	v.render(w, r, http.StatusOK, "jobs", vw, jobsData{Jobs: list, Kinds: JobKinds}, titled("Jobs", "jobs"))
}

// handleJobsJSON sends the repository's jobs as JSON (the page's live
// progress).
func (v *View) handleJobsJSON(w http.ResponseWriter, r *http.Request, vw *viewer) {
	list, err := v.jobs(r)
	if err != nil {
		v.log.Error("web: listing jobs", "repo", r.PathValue("repo"), "error", err.Error())
		http.Error(w, "listing the jobs failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(list)
}

// handleStartJob starts a job of a kind of JobKinds (POST, admin).
func (v *View) handleStartJob(w http.ResponseWriter, r *http.Request, vw *viewer) {
	if !v.jobControl(w, r, vw) {
		return
	}
	kind := jobs.Kind(r.PostFormValue("kind"))
	if !slices.Contains(JobKinds, kind) {
		v.problem(w, r, vw, http.StatusBadRequest, "Unknown job kind", "The web view starts "+joinKinds()+" jobs.")
		return
	}
	repo := r.PathValue("repo")
	j, err := v.o.Service.StartJob(r.Context(), repo, jobs.Spec{Kind: kind}, vw.Token.ID)
	if err != nil {
		v.problem(w, r, vw, http.StatusConflict, "The job did not start", err.Error())
		return
	}
	v.log.Info("web: job started", "repo", repo, "kind", string(kind), "job", j.ID, "token", vw.Token.ID)
	http.Redirect(w, r, "/ui/"+repo+"/jobs#job-"+j.ID, http.StatusSeeOther)
}

// handleCancelJob cancels a job of the repository (POST, admin).
func (v *View) handleCancelJob(w http.ResponseWriter, r *http.Request, vw *viewer) {
	if !v.jobControl(w, r, vw) {
		return
	}
	repo, id := r.PathValue("repo"), r.PathValue("id")
	j, err := v.o.Service.Job(r.Context(), id)
	if errors.Is(err, jobs.ErrNotFound) || err == nil && j.Repository != repo {
		v.problem(w, r, vw, http.StatusNotFound, "No such job", "Repository "+repo+" has no job "+id+".")
		return
	}
	if err == nil {
		_, err = v.o.Service.CancelJob(r.Context(), id)
	}
	if err != nil {
		v.problem(w, r, vw, http.StatusConflict, "The job was not cancelled", err.Error())
		return
	}
	v.log.Info("web: job cancelled", "repo", repo, "job", id, "token", vw.Token.ID)
	http.Redirect(w, r, "/ui/"+repo+"/jobs#job-"+id, http.StatusSeeOther)
}

// jobControl answers unless the viewer may start and cancel jobs here:
// the role the API asks for too (service.Allow).
func (v *View) jobControl(w http.ResponseWriter, r *http.Request, vw *viewer) bool {
	if err := service.Allow(vw.Token, r.PathValue("repo"), tokens.RoleAdmin, "starting and cancelling jobs"); err != nil {
		v.problem(w, r, vw, http.StatusForbidden, "Refused", err.Error()+".")
		return false
	}
	return true
}

func joinKinds() string {
	var s []string
	for _, k := range JobKinds {
		s = append(s, string(k))
	}
	return strings.Join(s, " and ")
}

// handleSchedules lists the repository's schedules.
func (v *View) handleSchedules(w http.ResponseWriter, r *http.Request, vw *viewer) {
	list, err := v.o.Service.ScheduleList(r.Context(), r.PathValue("repo"))
	if err != nil {
		v.fail(w, r, vw, err)
		return
	}
	var out []Schedule
	for _, sc := range list {
		out = append(out, scheduleView(sc))
	}
	v.render(w, r, http.StatusOK, "schedules", vw, out, titled("Schedules", "schedules"))
}
