package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/savepoint-ci/savepoint/core/forget"
	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/server"
	"github.com/savepoint-ci/savepoint/core/server/jobs"
	"github.com/savepoint-ci/savepoint/core/server/repos"
	"github.com/savepoint-ci/savepoint/core/server/schedules"
	"github.com/savepoint-ci/savepoint/core/server/service"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// statuses maps sentinel errors to HTTP statuses, first match wins.
var statuses = []struct {
	err    error
	status int
}{
	{tokens.ErrRefused, http.StatusUnauthorized},
	{service.ErrForbidden, http.StatusForbidden},
	{storage.ErrPermission, http.StatusServiceUnavailable}, // the server's own storage credentials
	{storage.ErrNoContainer, http.StatusNotFound},
	{repository.ErrNoRepository, http.StatusNotFound},
	{snapshot.ErrNotFound, http.StatusNotFound},
	{jobs.ErrNotFound, http.StatusNotFound},
	{schedules.ErrNotFound, http.StatusNotFound},
	{service.ErrNoPath, http.StatusNotFound},
	{tokens.ErrUnknown, http.StatusNotFound},
	{storage.ErrNotFound, http.StatusNotFound},
	{repos.ErrNoPassword, http.StatusConflict},
	{jobs.ErrBusy, http.StatusConflict},
	{jobs.ErrFinished, http.StatusConflict},
	{jobs.ErrElsewhere, http.StatusConflict},
	{prune.ErrLeaseHeld, http.StatusConflict},
	{storage.ErrInvalid, http.StatusBadRequest},
	{forget.ErrPolicy, http.StatusBadRequest},
	{jobs.ErrStopping, http.StatusServiceUnavailable},
	{storage.ErrUnavailable, http.StatusServiceUnavailable},
	{context.DeadlineExceeded, http.StatusServiceUnavailable},
}

// status is the HTTP status and message of err. The detail of a failure
// of the server's storage stays in its log, under the request id.
func (a *api) status(ctx context.Context, r *http.Request, err error) (int, string) {
	status := http.StatusInternalServerError
	for _, s := range statuses {
		if errors.Is(err, s.err) {
			status = s.status
			break
		}
	}
	if status >= 500 {
		id := server.RequestID(r)
		a.log.Error("api", "request_id", id, "error", err.Error())
		return status, "the server's storage failed; its log has the detail under request id " + id
	}
	return status, err.Error()
}

type requestKey struct{}

// ErrorType is the prefix of the type of the API's errors; the rest is
// the jobs.Code that classifies the error (urn:savepoint:no-password), the
// same codes that say how a job ended, so clients decide on one set.
const ErrorType = "urn:savepoint:"

// fail turns err into the API's error answer (RFC 9457 problem details).
func (a *api) fail(ctx context.Context, err error) error {
	r, _ := ctx.Value(requestKey{}).(*http.Request)
	if r == nil {
		r = &http.Request{}
	}
	status, msg := a.status(ctx, r, err)
	e := &huma.ErrorModel{Status: status, Title: http.StatusText(status), Detail: msg}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.Type = ErrorType + "forbidden"
	case status < 500:
		e.Type = ErrorType + string(jobs.CodeOf(err))
	}
	return e
}
