package tokens

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/savepoint-ci/savepoint/core/server/records"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// TableName is the records table that holds the tokens.
const TableName = "tokens"

// DefaultCacheTTL is how long a server trusts a token record it read: a
// revocation takes effect within it on every server process.
const DefaultCacheTTL = 10 * time.Second

// maxCached bounds the cache; past it the cache starts over.
const maxCached = 10000

// Store creates, lists, revokes and checks tokens.
type Store struct {
	t   *records.Table
	ttl time.Duration
	now func() time.Time

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	tok *Token // nil: no such token
	at  time.Time
}

// Options configure a Store.
type Options struct {
	// CacheTTL: how long a record read is trusted (nil: DefaultCacheTTL;
	// 0: never cached, every request reads the record).
	CacheTTL *time.Duration
	Now      func() time.Time // nil: time.Now
}

// NewStore returns the store of the tokens in table t.
func NewStore(t *records.Table, o Options) *Store {
	ttl := DefaultCacheTTL
	if o.CacheTTL != nil {
		ttl = *o.CacheTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Store{t: t, ttl: ttl, now: o.Now, cache: map[string]cached{}}
}

// Create issues a token for repository repo (or AllRepos) with role; a
// positive validFor makes it expire then. It returns the token string,
// which is never stored and cannot be shown again, and its record.
func (s *Store) Create(ctx context.Context, repo string, role Role, validFor time.Duration) (string, Token, error) {
	if role.rank() < 0 {
		return "", Token{}, fmt.Errorf("unknown role %q: %w", role, storage.ErrInvalid)
	}
	id, secret, token := generate()
	now := s.now().UTC()
	t := Token{ID: id, Repo: repo, Role: role, Created: now, Hash: hash(secret)}
	if validFor > 0 {
		t.Expires = now.Add(validFor)
	}
	if err := s.t.Put(ctx, id, t); err != nil {
		return "", Token{}, fmt.Errorf("storing the token: %w", err)
	}
	return token, t, nil
}

// List returns every token record, oldest first.
func (s *Store) List(ctx context.Context) ([]Token, error) {
	var ids []string
	if err := s.t.Keys(ctx, func(k string, _ time.Time) error {
		if ValidID(k) {
			ids = append(ids, k)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("listing tokens: %w", err)
	}
	out := make([]Token, 0, len(ids))
	for _, id := range ids {
		var t Token
		err := s.t.Get(ctx, id, &t)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading token %s: %w", id, err)
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, nil
}

// Revoke marks token id revoked; every server refuses it within the cache
// TTL. Revoking a revoked token changes nothing.
func (s *Store) Revoke(ctx context.Context, id string) (Token, error) {
	var t Token
	if !ValidID(id) {
		return t, fmt.Errorf("%q is not a token ID (16 hex digits, see 'savepoint token list'): %w", id, ErrUnknown)
	}
	err := s.t.Get(ctx, id, &t)
	if errors.Is(err, storage.ErrNotFound) {
		return t, fmt.Errorf("token %s: %w", id, ErrUnknown)
	}
	if err != nil {
		return t, err
	}
	if t.Revoked.IsZero() {
		t.Revoked = s.now().UTC()
		if err := s.t.Put(ctx, id, t); err != nil {
			return t, fmt.Errorf("revoking token %s: %w", id, err)
		}
	}
	s.mu.Lock()
	delete(s.cache, id)
	s.mu.Unlock()
	return t, nil
}

// Authenticate checks a presented token string and returns its record.
// A malformed, unknown, revoked or expired token is ErrRefused; the
// message names the token's ID, never its secret.
func (s *Store) Authenticate(ctx context.Context, token string) (Token, error) {
	id, secret, err := Parse(token)
	if err != nil {
		return Token{}, err
	}
	t, err := s.lookup(ctx, id)
	if err != nil {
		return Token{}, err
	}
	if t == nil || !t.matches(secret) {
		return Token{}, fmt.Errorf("%w: unknown token %s", ErrRefused, id)
	}
	return s.active(t)
}

// lookup reads a record through the cache; nil means no such token.
func (s *Store) lookup(ctx context.Context, id string) (*Token, error) {
	now := s.now()
	s.mu.Lock()
	c, ok := s.cache[id]
	s.mu.Unlock()
	if ok && s.ttl > 0 && now.Sub(c.at) < s.ttl {
		return c.tok, nil
	}
	var t Token
	err := s.t.Get(ctx, id, &t)
	var tok *Token
	switch {
	case err == nil:
		tok = &t
	case !errors.Is(err, storage.ErrNotFound):
		return nil, fmt.Errorf("reading token %s: %w", id, err)
	}
	s.mu.Lock()
	if len(s.cache) >= maxCached {
		s.cache = map[string]cached{}
	}
	s.cache[id] = cached{tok: tok, at: now}
	s.mu.Unlock()
	return tok, nil
}
