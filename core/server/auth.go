package server

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/savepoint-ci/savepoint/core/server/repos"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
	"github.com/savepoint-ci/savepoint/core/storage/remote/protocol"
)

// authenticate checks the request's bearer token and that it covers the
// repository in the path, and returns both. On failure it has answered
// (401 or 403) and ok is false.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (tok tokens.Token, repo *repos.Repo, ok bool) {
	tok, ok = s.bearer(w, r)
	if !ok {
		return tok, nil, false
	}
	name := r.PathValue("repo")
	if !tok.Covers(name) {
		writeError(w, r, http.StatusForbidden, protocol.Error{Code: protocol.CodeForbidden,
			Message: fmt.Sprintf("token %s is for repository %s, not %s", tok.ID, tok.Repo, name)})
		return tok, nil, false
	}
	repo, err := s.o.Repos.Get(r.Context(), name)
	if err != nil {
		s.fail(w, r, err)
		return tok, nil, false
	}
	return tok, repo, true
}

// bearer checks the request's bearer token and returns its record. On
// failure it has answered (401) and ok is false.
func (s *Server) bearer(w http.ResponseWriter, r *http.Request) (tok tokens.Token, ok bool) {
	bearer, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !found || bearer == "" {
		writeError(w, r, http.StatusUnauthorized, protocol.Error{Code: protocol.CodeUnauthorized,
			Message: "no token: send Authorization: Bearer TOKEN, a token from 'savepoint token create'"})
		return tok, false
	}
	tok, err := s.o.Tokens.Authenticate(r.Context(), strings.TrimSpace(bearer))
	if err != nil {
		s.fail(w, r, err)
		return tok, false
	}
	c := callOf(r)
	c.token, c.role = tok.ID, string(tok.Role)
	return tok, true
}

// require answers 403 and returns false unless tok's role allows need;
// what says what the request would have done.
func (s *Server) require(w http.ResponseWriter, r *http.Request, tok tokens.Token, need tokens.Role, what string) bool {
	if tok.Role.Allows(need) {
		return true
	}
	refuse(w, r, tok, need, what+" needs a token with role "+string(need))
	return false
}

// refuse answers 403 with msg, naming the role needed and the token's.
func refuse(w http.ResponseWriter, r *http.Request, tok tokens.Token, need tokens.Role, msg string) {
	writeError(w, r, http.StatusForbidden, protocol.Error{Code: protocol.CodeForbidden,
		Message: fmt.Sprintf("refused: %s (token %s has role %s)", msg, tok.ID, tok.Role),
		Role:    string(need), TokenRole: string(tok.Role)})
}
