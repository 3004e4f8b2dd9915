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
			sc, err := a.schedule(ctx, in.ID, tokens.RoleRead, "reading a schedule")
			if err != nil {
				return nil, err
			}
			return &scheduleOne{Body: sc}, nil
		})
	huma.Register(h, huma.Operation{OperationID: "remove-schedule", Method: http.MethodDelete, Path: Prefix + "/schedules/{id}",
		Summary: "Remove a schedule (the jobs it started stay)", Tags: tags},
		func(ctx context.Context, in *scheduleInput) (*scheduleOne, error) {
			if _, err := a.schedule(ctx, in.ID, tokens.RoleAdmin, "removing a schedule"); err != nil {
				return nil, err
			}
			sc, err := a.s.Schedules.Remove(ctx, in.ID)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &scheduleOne{Body: sc}, nil
		})
}

func (a *api) schedule(ctx context.Context, id string, need tokens.Role, what string) (schedules.Schedule, error) {
	sc, err := a.s.Schedules.Get(ctx, id)
	if err != nil {
		return sc, a.fail(ctx, err)
	}
	return sc, a.allow(ctx, sc.Repository, need, what)
}
