package tokens

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/server/records"
	"github.com/savepoint-ci/savepoint/core/storage/mem"
)

// clock is a settable time.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func TestRoles(t *testing.T) {
	for _, tc := range []struct {
		have, need Role
		ok         bool
	}{
		{RoleRead, RoleRead, true}, {RoleRead, RoleAppend, false}, {RoleRead, RoleAdmin, false},
		{RoleAppend, RoleRead, true}, {RoleAppend, RoleAppend, true}, {RoleAppend, RoleAdmin, false},
		{RoleAdmin, RoleAdmin, true}, {Role("root"), RoleRead, false},
	} {
		if got := tc.have.Allows(tc.need); got != tc.ok {
			t.Errorf("%s allows %s: %v", tc.have, tc.need, got)
		}
	}
	if _, err := ParseRole("owner"); err == nil {
		t.Error("ParseRole accepted an unknown role")
	}
}

// TestLifecycle: a token works until it is revoked or expires; the store
// keeps only the secret's hash; a cached record is trusted for the cache
// TTL, no longer.
func TestLifecycle(t *testing.T) {
	ctx := t.Context()
	be := mem.New()
	c := &clock{now: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	s := NewStore(records.New(be), Options{CacheTTL: new(10 * time.Second), Now: c.Now})
	tok, rec, err := s.Create(ctx, "app", RoleAppend, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, "spt_"+rec.ID+"_") {
		t.Fatalf("token %q does not carry its ID %s", tok, rec.ID)
	}
	secret := strings.SplitN(tok, "_", 3)[2]
	list, err := s.List(ctx)
	if err != nil || len(list) != 1 || strings.Contains(list[0].Hash, secret) || list[0].Hash == "" {
		t.Fatalf("List: %+v, %v", list, err)
	}
	got, err := s.Authenticate(ctx, tok)
	if err != nil || got.ID != rec.ID || got.Role != RoleAppend || !got.Covers("app") || got.Covers("other") {
		t.Fatalf("Authenticate: %+v, %v", got, err)
	}
	// The token with its last character changed (to "A", unless it is one:
	// a 32-byte secret ends in one of 16 characters, "A" among them).
	changed := tok[:len(tok)-1] + "A"
	if changed == tok {
		changed = tok[:len(tok)-1] + "E"
	}
	for _, bad := range []string{"", "spt_", changed, "spt_" + rec.ID + "_" + strings.Repeat("x", 43), strings.Replace(tok, rec.ID, "0000000000000000", 1)} {
		if _, err := s.Authenticate(ctx, bad); !errors.Is(err, ErrRefused) {
			t.Errorf("Authenticate(%q) = %v, want ErrRefused", bad, err)
		}
	}

	// Revoked by another process (its own store): this one trusts its
	// cache for the TTL, then refuses.
	other := NewStore(records.New(be), Options{Now: c.Now})
	if _, err := other.Revoke(ctx, rec.ID); err != nil {
		t.Fatal(err)
	}
	c.now = c.now.Add(5 * time.Second)
	if _, err := s.Authenticate(ctx, tok); err != nil {
		t.Fatalf("within the cache TTL: %v", err)
	}
	c.now = c.now.Add(6 * time.Second)
	if _, err := s.Authenticate(ctx, tok); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "revoked") {
		t.Fatalf("after the cache TTL a revoked token: %v", err)
	}
	if _, err := s.Revoke(ctx, "0123456789abcdef"); !errors.Is(err, ErrUnknown) {
		t.Errorf("revoking an unknown token: %v", err)
	}

	// Expiry.
	tok2, _, err := s.Create(ctx, "*", RoleRead, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, tok2); err != nil {
		t.Fatal(err)
	}
	c.now = c.now.Add(2 * time.Minute)
	if _, err := s.Authenticate(ctx, tok2); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("an expired token: %v", err)
	}
}
