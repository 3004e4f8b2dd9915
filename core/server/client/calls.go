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
	return call[jobs.Job](ctx, c, http.MethodPost, repoPath(repo, "jobs"), spec)
}

// Job returns job id with its progress and log.
func (c *Client) Job(ctx context.Context, id string) (jobs.Job, error) {
	return call[jobs.Job](ctx, c, http.MethodGet, itemPath("jobs", id), nil)
}

// Jobs lists the jobs of repository repo (every repository the token
// covers when empty), newest first.
func (c *Client) Jobs(ctx context.Context, repo string) ([]jobs.Job, error) {
	return call[[]jobs.Job](ctx, c, http.MethodGet, listPath(repo, "jobs"), nil)
}

// CancelJob asks the server to cancel job id.
func (c *Client) CancelJob(ctx context.Context, id string) (jobs.Job, error) {
	return call[jobs.Job](ctx, c, http.MethodDelete, itemPath("jobs", id), nil)
}

// Schedules lists the schedules of repository repo (all the token covers
// when empty).
func (c *Client) Schedules(ctx context.Context, repo string) ([]schedules.Schedule, error) {
	return call[[]schedules.Schedule](ctx, c, http.MethodGet, listPath(repo, "schedules"), nil)
}

// AddSchedule adds a schedule starting spec on repo at the times of expr.
func (c *Client) AddSchedule(ctx context.Context, repo, expr string, spec jobs.Spec) (schedules.Schedule, error) {
	in := map[string]any{"cron": expr, "spec": spec}
	return call[schedules.Schedule](ctx, c, http.MethodPost, repoPath(repo, "schedules"), in)
}

// RemoveSchedule removes schedule id.
func (c *Client) RemoveSchedule(ctx context.Context, id string) (schedules.Schedule, error) {
	return call[schedules.Schedule](ctx, c, http.MethodDelete, itemPath("schedules", id), nil)
}

// call makes one request (in, when set, is its JSON body) and decodes the
// answer as a T.
func call[T any](ctx context.Context, c *Client, method, path string, in any) (T, error) {
	var out T
	err := c.do(ctx, method, path, in, &out)
	return out, err
}

// listPath is the path of a collection ("jobs", "schedules") of
// repository repo, or of every repository the token covers when repo is
// empty.
func listPath(repo, collection string) string {
	if repo == "" {
		return api.Prefix + "/" + collection
	}
	return repoPath(repo, collection)
}

// repoPath is the path of a collection of repository repo.
func repoPath(repo, collection string) string {
	return api.Prefix + "/repositories/" + url.PathEscape(repo) + "/" + collection
}

// itemPath is the path of one item (a job, a schedule) by its ID.
func itemPath(collection, id string) string {
	return api.Prefix + "/" + collection + "/" + url.PathEscape(id)
}
