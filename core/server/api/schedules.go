package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/savepoint-ci/savepoint/core/server/jobs"
	"github.com/savepoint-ci/savepoint/core/server/schedules"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
)

type addScheduleInput struct {
	RepoParam
	Body struct {
		Cron string    `json:"cron" doc:"Cron expression (five fields, or @daily, @every 6h; UTC unless CRON_TZ=ZONE leads)"`
		Spec jobs.Spec `json:"spec" doc:"The job to start"`
	}
}

type scheduleInput struct {
	ID string `path:"id" doc:"Schedule ID"`
}

type scheduleOne = reply[schedules.Schedule]

func (a *api) schedules(h huma.API) {
	tags := []string{"schedules"}
	huma.Register(h, huma.Operation{OperationID: "add-schedule", Method: http.MethodPost, Path: Prefix + "/repositories/{name}/schedules",
		Summary: "Start a job on a cron schedule", DefaultStatus: http.StatusCreated, Tags: tags},
		func(ctx context.Context, in *addScheduleInput) (*scheduleOne, error) {
			return answer(ctx, a, in.Name, tokens.RoleAdmin, "adding a schedule", func() (schedules.Schedule, error) {
				return a.s.Schedules.Add(ctx, in.Name, in.Body.Cron, in.Body.Spec, token(ctx).ID)
			})
		})
	listings(h, a, "schedules", "A repository's schedules with their next run times",
		"The schedules of the repositories the token covers, with their next run times", a.s.ScheduleList)
	huma.Register(h, huma.Operation{OperationID: "get-schedule", Method: http.MethodGet, Path: Prefix + "/schedules/{id}",
		Summary: "A schedule with its next run time and last job", Tags: tags},
		func(ctx context.Context, in *scheduleInput) (*scheduleOne, error) {
			return a.schedule(ctx, in.ID, tokens.RoleRead, "reading a schedule", nil)
		})
	huma.Register(h, huma.Operation{OperationID: "remove-schedule", Method: http.MethodDelete, Path: Prefix + "/schedules/{id}",
		Summary: "Remove a schedule (the jobs it started stay)", Tags: tags},
		func(ctx context.Context, in *scheduleInput) (*scheduleOne, error) {
			return a.schedule(ctx, in.ID, tokens.RoleAdmin, "removing a schedule", func() (schedules.Schedule, error) {
				return a.s.Schedules.Remove(ctx, in.ID)
			})
		})
}

// schedule serves an operation on schedule id (byID).
func (a *api) schedule(ctx context.Context, id string, need tokens.Role, what string, do func() (schedules.Schedule, error)) (*scheduleOne, error) {
	return byID(ctx, a, id, a.s.Schedules.Get, func(sc schedules.Schedule) string { return sc.Repository }, need, what, do)
}
