package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/savepoint-ci/savepoint/core/server/tokens"
)

// ErrForbidden: the token is valid, but its role or repository does not
// allow the request (HTTP 403). An unknown, revoked or expired token is
// tokens.ErrRefused (HTTP 401).
var ErrForbidden = errors.New("forbidden")

// Authenticate checks a presented token string (the bearer token of a
// request, or the token a web-view user logged in with).
func (s *Service) Authenticate(ctx context.Context, token string) (tokens.Token, error) {
	if token == "" {
		return tokens.Token{}, fmt.Errorf("%w: no token: send Authorization: Bearer TOKEN, a token from 'savepoint token create'", tokens.ErrRefused)
	}
	return s.Tokens.Authenticate(ctx, token)
}

// Allow checks that tok may do what needs role need on repository repo
// ("" for a request about no one repository: only a token for every
// repository may). what says what the request would do, for the message.
func Allow(tok tokens.Token, repo string, need tokens.Role, what string) error {
	switch {
	case repo == "" && tok.Repo != tokens.AllRepos:
		return fmt.Errorf("%w: %s needs a token for every repository ('*'); token %s is for %s", ErrForbidden, what, tok.ID, tok.Repo)
	case repo != "" && !tok.Covers(repo):
		return fmt.Errorf("%w: token %s is for repository %s, not %s", ErrForbidden, tok.ID, tok.Repo, repo)
	case !tok.Role.Allows(need):
		return fmt.Errorf("%w: %s needs a token with role %s (token %s has role %s)", ErrForbidden, what, need, tok.ID, tok.Role)
	}
	return nil
}
