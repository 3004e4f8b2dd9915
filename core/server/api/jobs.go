package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/savepoint-ci/savepoint/core/server/jobs"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
)

type startJobInput struct {
	RepoParam
	Body jobs.Spec
}

type jobInput struct {
	ID string `path:"id" doc:"Job ID"`
}

type jobOne = reply[jobs.Job]

// Starting a job needs the admin role whatever its kind: a save job reads
// paths on the server host and runs commands there, which an append
// token (what a CI job holds) must never reach (docs/server.md).
const jobRole = tokens.RoleAdmin

func (a *api) jobs(h huma.API) {
	tags := []string{"jobs"}
	huma.Register(h, huma.Operation{OperationID: "start-job", Method: http.MethodPost, Path: Prefix + "/repositories/{name}/jobs",
		Summary:       "Start a save, verify, forget, prune, restore or sync job in the background; answers at once with the job",
		Description:   "Needs an admin token. At most one prune job runs per repository, and one sync job per source and repository (409 otherwise); saves run in parallel. The repository's password must be in the server's password directory (409 otherwise).",
		DefaultStatus: http.StatusAccepted, Tags: tags},
		func(ctx context.Context, in *startJobInput) (*jobOne, error) {
			return answer(ctx, a, in.Name, jobRole, "starting a job", func() (jobs.Job, error) {
				return a.s.StartJob(ctx, in.Name, in.Body, token(ctx).ID)
			})
		})
	listings(h, a, "jobs", "A repository's jobs, newest first, without their logs",
		"The jobs of the repositories the token covers, newest first, without their logs", a.s.JobList)
	huma.Register(h, huma.Operation{OperationID: "get-job", Method: http.MethodGet, Path: Prefix + "/jobs/{id}",
		Summary: "A job: state, progress (files, bytes, rate, ETA), result and log lines", Tags: tags},
		func(ctx context.Context, in *jobInput) (*jobOne, error) {
			return a.job(ctx, in.ID, tokens.RoleRead, "reading a job", nil)
		})
	huma.Register(h, huma.Operation{OperationID: "cancel-job", Method: http.MethodDelete, Path: Prefix + "/jobs/{id}",
		Summary:       "Cancel a running job; it ends as cancelled with nothing partial committed (poll get-job for that)",
		DefaultStatus: http.StatusAccepted, Tags: tags},
		func(ctx context.Context, in *jobInput) (*jobOne, error) {
			return a.job(ctx, in.ID, jobRole, "cancelling a job", func() (jobs.Job, error) { return a.s.CancelJob(ctx, in.ID) })
		})
}

// job serves an operation on job id (byID).
func (a *api) job(ctx context.Context, id string, need tokens.Role, what string, do func() (jobs.Job, error)) (*jobOne, error) {
	return byID(ctx, a, id, a.s.Job, func(j jobs.Job) string { return j.Repository }, need, what, do)
}
