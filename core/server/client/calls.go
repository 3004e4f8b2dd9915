package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/savepoint-ci/savepoint/core/server/api"
	"github.com/savepoint-ci/savepoint/core/server/jobs"
	"github.com/savepoint-ci/savepoint/core/server/schedules"
)

// StartJob starts a job on repository repo and returns it as it starts.
func (c *Client) StartJob(ctx context.Context, repo string, spec jobs.Spec) (jobs.Job, error) {
	var j jobs.Job
	err := c.do(ctx, http.MethodPost, api.Prefix+"/repositories/"+url.PathEscape(repo)+"/jobs", spec, &j)
	return j, err
}

// Job returns job id with its progress and log.
func (c *Client) Job(ctx context.Context, id string) (jobs.Job, error) {
	var j jobs.Job
	err := c.do(ctx, http.MethodGet, api.Prefix+"/jobs/"+url.PathEscape(id), nil, &j)
	return j, err
}

// Jobs lists the jobs of repository repo (every repository the token
// covers when empty), newest first.
func (c *Client) Jobs(ctx context.Context, repo string) ([]jobs.Job, error) {
	var list []jobs.Job
	path := api.Prefix + "/jobs"
	if repo != "" {
		path = api.Prefix + "/repositories/" + url.PathEscape(repo) + "/jobs"
	}
	err := c.do(ctx, http.MethodGet, path, nil, &list)
	return list, err
}

// CancelJob asks the server to cancel job id.
func (c *Client) CancelJob(ctx context.Context, id string) (jobs.Job, error) {
	var j jobs.Job
	err := c.do(ctx, http.MethodDelete, api.Prefix+"/jobs/"+url.PathEscape(id), nil, &j)
	return j, err
}

// Schedules lists the schedules of repository repo (all the token covers
// when empty).
func (c *Client) Schedules(ctx context.Context, repo string) ([]schedules.Schedule, error) {
	var list []schedules.Schedule
	path := api.Prefix + "/schedules"
	if repo != "" {
		path = api.Prefix + "/repositories/" + url.PathEscape(repo) + "/schedules"
	}
	err := c.do(ctx, http.MethodGet, path, nil, &list)
	return list, err
}

// AddSchedule adds a schedule starting spec on repo at the times of expr.
func (c *Client) AddSchedule(ctx context.Context, repo, expr string, spec jobs.Spec) (schedules.Schedule, error) {
	var sc schedules.Schedule
	in := map[string]any{"cron": expr, "spec": spec}
	err := c.do(ctx, http.MethodPost, api.Prefix+"/repositories/"+url.PathEscape(repo)+"/schedules", in, &sc)
	return sc, err
}

// RemoveSchedule removes schedule id.
func (c *Client) RemoveSchedule(ctx context.Context, id string) (schedules.Schedule, error) {
	var sc schedules.Schedule
	err := c.do(ctx, http.MethodDelete, api.Prefix+"/schedules/"+url.PathEscape(id), nil, &sc)
	return sc, err
}
