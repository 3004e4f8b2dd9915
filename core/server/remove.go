package server

import (
	"errors"
	"net/http"

	"github.com/savepoint-ci/savepoint/core/server/repos"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// handleRemove deletes an object (DELETE). Only an admin token removes
// objects, with one exception: an append token removes the session
// markers it created itself (the writer ending its session).
func (s *Server) handleRemove(w http.ResponseWriter, r *http.Request, tok tokens.Token, repo *repos.Repo, h storage.Handle) {
	be, end, ok := s.beginWrite(w, r, repo, h)
	if !ok {
		return
	}
	defer end()
	if !tok.Role.Allows(tokens.RoleAdmin) {
		if h.Kind != storage.KindSession {
			refuse(w, r, tok, tokens.RoleAdmin, "removing "+h.String()+" needs a token with role admin")
			return
		}
		if _, err := be.Stat(r.Context(), h); errors.Is(err, storage.ErrNotFound) {
			w.WriteHeader(http.StatusNoContent) // gone already (a retried DELETE)
			return
		} else if err != nil {
			s.fail(w, r, err)
			return
		}
		owner, err := repo.Owner(r.Context(), h.Name)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if owner != tok.ID {
			refuse(w, r, tok, tokens.RoleAdmin, "only the token that created session marker "+h.Name+" may remove it; removing it otherwise needs a token with role admin")
			return
		}
	}
	if err := be.Remove(r.Context(), h); err != nil {
		s.fail(w, r, err)
		return
	}
	repo.Touched()
	if h.Kind != storage.KindSession {
		repo.Changed() // the quota figure is listed afresh
	} else {
		if err := repo.DropOwner(r.Context(), h.Name); err != nil {
			s.log.Warn("session owner record not removed", "request_id", RequestID(r), "error", err.Error())
		}
	}
	w.WriteHeader(http.StatusNoContent)
}
