package server

import (
	"net/http"

	"github.com/savepoint-ci/savepoint/core/server/tokens"
	"github.com/savepoint-ci/savepoint/core/storage/remote/protocol"
)

// handleMetrics serves the Prometheus metrics (GET /metrics). They name
// every repository, so they need a token for all of them ('*', any role),
// unless the server was started with --metrics-public.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	if !s.o.MetricsPublic {
		tok, ok := s.bearer(w, r)
		if !ok {
			return
		}
		if tok.Repo != tokens.AllRepos {
			writeError(w, r, http.StatusForbidden, protocol.Error{Code: protocol.CodeForbidden,
				Message: "metrics need a token for every repository (repository '*'); token " + tok.ID + " is for " + tok.Repo})
			return
		}
	}
	s.metrics.Handler().ServeHTTP(w, r)
}
