package tokens

import (
	"context"
	"fmt"
	"time"
)

// Check returns the record of token id if it is still active: a session
// opened with a token (the web view) calls it on every request, so a
// revocation or expiry ends the session within the cache TTL, as it
// refuses the token itself.
func (s *Store) Check(ctx context.Context, id string) (Token, error) {
	if !ValidID(id) {
		return Token{}, fmt.Errorf("%w: %q is not a token ID", ErrRefused, id)
	}
	t, err := s.lookup(ctx, id)
	if err != nil {
		return Token{}, err
	}
	if t == nil {
		return Token{}, fmt.Errorf("%w: unknown token %s", ErrRefused, id)
	}
	return s.active(t)
}

// active returns t unless it is revoked or expired (ErrRefused).
func (s *Store) active(t *Token) (Token, error) {
	switch t.State(s.now()) {
	case "revoked":
		return Token{}, fmt.Errorf("%w: token %s was revoked", ErrRefused, t.ID)
	case "expired":
		return Token{}, fmt.Errorf("%w: token %s expired at %s", ErrRefused, t.ID, t.Expires.Format(time.RFC3339))
	}
	return *t, nil
}
