package testserver

import (
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/server/tokens"
)

// StartAppend starts a server (see Start) and returns it with an append
// token for repository repo: what a CI job is given.
func StartAppend(t testing.TB, repo string) (*Server, string) {
	t.Helper()
	s := Start(t, Options{})
	return s, s.Token(repo, "append")
}

// Secret is the secret part of a token (tokens.Parse), the whole string
// if it is no token: a log that shows it shows the token.
func Secret(token string) string {
	if _, secret, err := tokens.Parse(token); err == nil {
		return secret
	}
	return token
}

// CheckTokenNotLogged fails the test when the server's log shows token.
func (s *Server) CheckTokenNotLogged(t testing.TB, token string) {
	t.Helper()
	if strings.Contains(s.Logs(), Secret(token)) {
		t.Errorf("the server logged the token")
	}
}
