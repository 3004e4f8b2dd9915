package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/savepoint-ci/savepoint/core/server/records"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// CookieName is the session cookie.
const CookieName = "savepoint_session"

// sessionCacheTTL is how long a process trusts a session record it read:
// a logout elsewhere takes effect within it.
const sessionCacheTTL = 10 * time.Second

// session is the stored record of a login, named by the SHA-256 of the
// cookie's secret (the secret itself is stored nowhere).
type session struct {
	Token   string    `json:"token"` // the token's ID
	CSRF    string    `json:"csrf"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
}

type sessionCache struct {
	mu sync.Mutex
	m  map[string]cachedSession
}

type cachedSession struct {
	s  *session // nil: no such session
	at time.Time
}

func sessionKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// newSession stores a session for token id and returns the cookie's secret.
func (v *View) newSession(ctx context.Context, tokenID string) (string, *session, error) {
	now := v.o.Now().UTC()
	secret := randomString(32)
	s := &session{Token: tokenID, CSRF: randomString(32), Created: now, Expires: now.Add(v.o.SessionTTL)}
	t, err := v.o.Service.Repos.Table(ctx, SessionsTable)
	if err != nil {
		return "", nil, err
	}
	if err := t.Put(ctx, sessionKey(secret), s); err != nil {
		return "", nil, fmt.Errorf("storing the session: %w", err)
	}
	v.cache(sessionKey(secret), s)
	v.sweep(ctx, t)
	return secret, s, nil
}

// lookup returns the live session of the cookie's secret, or nil.
func (v *View) lookup(ctx context.Context, secret string) (*session, error) {
	key, now := sessionKey(secret), v.o.Now()
	c := &v.sessions
	c.mu.Lock()
	hit, ok := c.m[key]
	c.mu.Unlock()
	s := hit.s
	if !ok || now.Sub(hit.at) >= sessionCacheTTL {
		t, err := v.o.Service.Repos.Table(ctx, SessionsTable)
		if err != nil {
			return nil, err
		}
		var rec session
		err = t.Get(ctx, key, &rec)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			s = nil
		case err != nil:
			return nil, err
		default:
			s = &rec
		}
		v.cache(key, s)
	}
	if s == nil || !now.Before(s.Expires) {
		return nil, nil
	}
	return s, nil
}

func (v *View) cache(key string, s *session) {
	c := &v.sessions
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 10000 {
		c.m = map[string]cachedSession{}
	}
	c.m[key] = cachedSession{s: s, at: v.o.Now()}
}

// endSession removes the session of the cookie's secret.
func (v *View) endSession(ctx context.Context, secret string) error {
	key := sessionKey(secret)
	v.cache(key, nil)
	t, err := v.o.Service.Repos.Table(ctx, SessionsTable)
	if err != nil {
		return err
	}
	return t.Delete(ctx, key)
}

// sweep removes the records of sessions that expired (by their storage
// time: a record is never rewritten), best effort, at each login.
func (v *View) sweep(ctx context.Context, t *records.Table) {
	cut := v.o.Now().Add(-v.o.SessionTTL)
	var old []string
	t.Keys(ctx, func(key string, mtime time.Time) error {
		if mtime.Before(cut) {
			old = append(old, key)
		}
		return nil
	})
	for _, key := range old {
		t.Delete(ctx, key)
	}
}

// setCookie sends the session cookie: HttpOnly, SameSite=Strict, Secure
// when the request came over TLS; maxAge < 0 removes it.
func setCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
}
