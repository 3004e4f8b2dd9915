package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/savepoint-ci/savepoint/core/forget"
	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/server/repos"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/remote/protocol"
)

// writeError sends an error answer with its JSON body.
func writeError(w http.ResponseWriter, r *http.Request, status int, e protocol.Error) {
	c := callOf(r)
	if c.note == "" {
		c.note = e.Message
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Del("Content-Length")
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		json.NewEncoder(w).Encode(e)
	}
}

// fail answers with the status that matches err's sentinel.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, code := http.StatusInternalServerError, protocol.CodeInternal
	switch {
	case errors.Is(err, tokens.ErrRefused):
		status, code = http.StatusUnauthorized, protocol.CodeUnauthorized
	case errors.Is(err, storage.ErrQuota):
		status, code = http.StatusInsufficientStorage, protocol.CodeQuota
	case errors.Is(err, repos.ErrNoPassword):
		status, code = http.StatusNotImplemented, protocol.CodeNoPassword
	case errors.Is(err, storage.ErrNoContainer):
		status, code = http.StatusNotFound, protocol.CodeNoRepository
	case errors.Is(err, storage.ErrNotFound):
		status, code = http.StatusNotFound, protocol.CodeNotFound
	case errors.Is(err, storage.ErrInvalid), errors.Is(err, forget.ErrPolicy):
		status, code = http.StatusBadRequest, protocol.CodeInvalid
	case errors.Is(err, prune.ErrLeaseHeld), errors.Is(err, prune.ErrLeaseStale):
		status, code = http.StatusConflict, protocol.CodeInvalid
	case errors.Is(err, storage.ErrUnavailable), errors.Is(err, storage.ErrPermission),
		errors.Is(err, context.DeadlineExceeded):
		// The storage behind the server refused or failed: the client's
		// token is fine, the server's storage is not (or not yet).
		status, code = http.StatusServiceUnavailable, protocol.CodeUnavailable
	case errors.Is(err, context.Canceled):
		status, code = http.StatusServiceUnavailable, protocol.CodeUnavailable
	}
	msg := err.Error()
	switch {
	case code == protocol.CodeNoRepository:
		msg = "no repository " + r.PathValue("repo") + " on this server (create it with 'savepoint init')"
	case status >= 500 && code != protocol.CodeNoPassword:
		// The detail (paths, bucket names) stays in the server's log.
		s.log.Error("storage", "request_id", callOf(r).id, "error", msg)
		msg = "the server's storage failed; its log has the detail under request id " + callOf(r).id
	}
	writeError(w, r, status, protocol.Error{Code: code, Message: msg})
}
