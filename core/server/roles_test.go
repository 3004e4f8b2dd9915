package server_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// seeded is a repository with one object of every kind, written by admin.
type seeded struct {
	objects map[storage.Handle][]byte
}

func seed(t *testing.T, srv *testserver.Server, name, admin string) seeded {
	be := created(t, srv, name, admin)
	s := seeded{objects: map[storage.Handle][]byte{}}
	add := func(h storage.Handle, data []byte) {
		put(t, be, h, data)
		s.objects[h] = data
	}
	add(storage.Handle{Kind: storage.KindConfig, Name: "config"}, []byte(`{"version":1}`))
	for _, k := range []storage.Kind{storage.KindKey, storage.KindSnapshot, storage.KindIndex, storage.KindMeta, storage.KindData} {
		data, n := storagetest.Blob(3000)
		add(storage.Handle{Kind: k, Name: n}, data)
	}
	add(storage.Handle{Kind: storage.KindLease, Name: "prune"}, []byte("lease"))
	add(storage.Handle{Kind: storage.KindLease, Name: "intent-1-abc"}, []byte("intent"))
	add(storage.Handle{Kind: storage.KindLease, Name: "failed-" + strings.Repeat("ab", 32)}, []byte("failure"))
	add(storage.Handle{Kind: storage.KindSession, Name: "admins-marker"}, []byte("marker"))
	return s
}

// intact checks that every seeded object is still there, unchanged.
func (s seeded) intact(t *testing.T, srv *testserver.Server, name, admin string) {
	t.Helper()
	be := backend(t, srv, name, admin)
	for h, want := range s.objects {
		got, err := storage.LoadAll(t.Context(), be, h)
		if err != nil {
			t.Errorf("%s after the refused requests: %v", h, err)
		} else if !bytes.Equal(got, want) {
			t.Errorf("%s was changed: %q", h, got)
		}
	}
}

// TestAppendTokenCannotRemoveOrReplace sends, with an append token, every
// request that could remove or replace an object: DELETE and PUT of other
// content on every kind, lease writes, maintenance, path and method
// tricks. Each is refused and every object stays as it was; what append is
// for (new objects, identical re-PUTs, its own session marker) works.
func TestAppendTokenCannotRemoveOrReplace(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	admin := srv.Token("ci", "admin")
	s := seed(t, srv, "ci", admin)
	appendTok := srv.Token("ci", "append")
	c := newRaw(t, srv, appendTok)
	path := func(h storage.Handle) string { return "/ci/" + string(h.Kind) + "/" + h.Name }
	forbidden := func(what string, a answer, status int) {
		t.Helper()
		if a.status != status {
			t.Errorf("%s: HTTP %d %s, want %d", what, a.status, a.body, status)
		}
	}
	for h, data := range s.objects {
		a := c.do(http.MethodDelete, path(h), nil)
		forbidden("DELETE "+h.String(), a, http.StatusForbidden)
		if a.status == http.StatusForbidden && (a.err.Role != "admin" || !strings.Contains(a.err.Message, "role admin")) {
			t.Errorf("DELETE %s: the refusal does not name the role needed: %+v", h, a.err)
		}
		other := append([]byte("other "), data...)
		a = c.do(http.MethodPut, path(h), other)
		switch {
		case h.Kind.ContentAddressed():
			forbidden("PUT other bytes under "+h.String(), a, http.StatusBadRequest) // the name is their digest
		default:
			forbidden("PUT other bytes to "+h.String(), a, http.StatusForbidden)
		}
		// Claiming the right digest does not help either.
		a = c.do(http.MethodPut, path(h), other, "X-Savepoint-Content-Sha256", digest(other))
		if a.status < 400 {
			t.Errorf("PUT other bytes with their digest to %s: HTTP %d", h, a.status)
		}
	}
	for _, name := range []string{"prune", "intent-2-def", "anything"} {
		forbidden("PUT lease/"+name, c.do(http.MethodPut, "/ci/lease/"+name, []byte("x")), http.StatusForbidden)
	}
	for _, op := range []string{"forget", "prune"} {
		forbidden("POST maintenance/"+op, c.do(http.MethodPost, "/ci/maintenance/"+op, []byte(`{}`)), http.StatusForbidden)
	}
	for _, p := range []string{"/ci/config/..%2Fkeys", "/ci/data/%2E%2E", "/ci/config/.config", "/ci/nonsense/x"} {
		if a := c.do(http.MethodDelete, p, nil); a.status < 400 {
			t.Errorf("DELETE %s: HTTP %d", p, a.status)
		}
	}
	for _, m := range []string{http.MethodPost, http.MethodPatch} {
		if a := c.do(m, "/ci/config/config", []byte("x")); a.status < 400 {
			t.Errorf("%s /ci/config/config: HTTP %d", m, a.status)
		}
	}
	// Another repository's token is refused, whatever its role.
	other := newRaw(t, srv, srv.Token("elsewhere", "admin"))
	forbidden("admin token of another repository", other.do(http.MethodDelete, "/ci/config/config", nil), http.StatusForbidden)
	s.intact(t, srv, "ci", admin)

	// What append is for.
	be := backend(t, srv, "ci", appendTok)
	data, n := storagetest.Blob(5000)
	put(t, be, storage.Handle{Kind: storage.KindData, Name: n}, data)
	for h, data := range s.objects {
		if h.Kind.ContentAddressed() {
			a := c.do(http.MethodPut, path(h), data)
			if a.status != http.StatusOK || a.header.Get("X-Savepoint-Stored") != "existed" {
				t.Errorf("PUT of identical bytes to %s: HTTP %d %q", h, a.status, a.header.Get("X-Savepoint-Stored"))
			}
		}
	}
	put(t, be, storage.Handle{Kind: storage.KindLease, Name: "failed-" + strings.Repeat("cd", 32)}, []byte("verify found a problem"))
	mine := storage.Handle{Kind: storage.KindSession, Name: "my-marker"}
	put(t, be, mine, []byte("running"))
	put(t, be, mine, []byte("running")) // a retried PUT after a lost answer
	forbidden("replacing its own marker with other bytes", c.do(http.MethodPut, path(mine), []byte("changed")), http.StatusForbidden)
	second := newRaw(t, srv, srv.Token("ci", "append"))
	forbidden("DELETE of another token's marker", second.do(http.MethodDelete, path(mine), nil), http.StatusForbidden)
	if err := be.Remove(t.Context(), mine); err != nil {
		t.Fatalf("the creating token removing its own marker: %v", err)
	}
	if err := be.Remove(t.Context(), mine); err != nil {
		t.Fatalf("removing it again (a retried DELETE): %v", err)
	}
	s.intact(t, srv, "ci", admin)
	// The owner record went with the marker.
	owners, _ := os.ReadDir(filepath.Join(srv.Storage, "savepoint-server", "sessions", "ci", "lease"))
	if len(owners) != 0 {
		t.Errorf("owner records left behind: %v", owners)
	}
}

// TestReadToken: a read token reads, and is refused every write.
func TestReadToken(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	admin := srv.Token("ci", "admin")
	s := seed(t, srv, "ci", admin)
	c := newRaw(t, srv, srv.Token("ci", "read"))
	data, n := storagetest.Blob(100)
	for _, req := range []struct{ method, path string }{
		{http.MethodPut, "/ci/data/" + n},
		{http.MethodPut, "/ci/sessions/reader"},
		{http.MethodDelete, "/ci/sessions/admins-marker"},
		{http.MethodPost, "/ci/"},
		{http.MethodPost, "/ci/maintenance/prune"},
	} {
		a := c.do(req.method, req.path, data)
		if a.status != http.StatusForbidden || a.err.Role == "" {
			t.Errorf("%s %s with a read token: HTTP %d %s", req.method, req.path, a.status, a.body)
		}
	}
	for h, want := range s.objects {
		a := c.do(http.MethodGet, "/ci/"+string(h.Kind)+"/"+h.Name, nil)
		if a.status != http.StatusOK || !bytes.Equal(a.body, want) {
			t.Errorf("GET %s with a read token: HTTP %d", h, a.status)
		}
	}
	a := c.do(http.MethodGet, "/ci/data/", nil)
	if a.status != http.StatusOK || !strings.Contains(string(a.body), `"size":3000`) {
		t.Errorf("list with a read token: HTTP %d %s", a.status, a.body)
	}
	// Every answer names its request, and the log line of the request too.
	id := a.header.Get("X-Request-Id")
	if len(id) != 16 {
		t.Errorf("X-Request-Id %q", id)
	}
	for i := 0; i < 100 && !strings.Contains(srv.Logs(), `"request_id":"`+id+`"`); i++ {
		time.Sleep(10 * time.Millisecond) // the log line is written as the answer ends
	}
	if !strings.Contains(srv.Logs(), `"request_id":"`+id+`","method":"GET","path":"/ci/data/","status":200`) {
		t.Errorf("no log line for request %s:\n%s", id, srv.Logs())
	}
	s.intact(t, srv, "ci", admin)
}

// TestAuthentication: no token, a malformed one, a revoked one and an
// expired one are all 401; the server's log never holds a token's secret.
func TestAuthentication(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Args: []string{"--token-cache", "0s"}})
	admin := srv.Token("ci", "admin")
	seed(t, srv, "ci", admin)
	good := srv.Token("ci", "read")
	if a := newRaw(t, srv, good).do(http.MethodGet, "/ci/config/config", nil); a.status != http.StatusOK {
		t.Fatalf("a fresh read token: HTTP %d %s", a.status, a.body)
	}
	id := strings.Split(good, "_")[1]
	if out, err := srv.Command("token", "revoke", "--storage", srv.Storage, id); err != nil {
		t.Fatalf("token revoke: %v %s", err, out)
	}
	expiring := srv.Token("ci", "read", "--expires", "1s")
	expireAll(t, srv.Storage)
	cases := map[string]string{
		"no token":        "",
		"not a token":     "hunter2",
		"unknown token":   "spt_0123456789abcdef_" + strings.Repeat("A", 43),
		"wrong secret":    good[:len(good)-4] + "AAAA",
		"revoked token":   good,
		"expired token":   expiring,
		"forged id+other": "spt_" + id + "_" + strings.Repeat("B", 43),
	}
	for name, tok := range cases {
		a := newRaw(t, srv, tok).do(http.MethodGet, "/ci/config/config", nil)
		if a.status != http.StatusUnauthorized {
			t.Errorf("%s: HTTP %d %s, want 401", name, a.status, a.body)
		}
		if name == "revoked token" && !strings.Contains(a.err.Message, "revoked") {
			t.Errorf("revoked token: the answer does not say so: %s", a.body)
		}
		if name == "expired token" && !strings.Contains(a.err.Message, "expired") {
			t.Errorf("expired token: the answer does not say so: %s", a.body)
		}
	}
	out, err := srv.Command("token", "list", "--storage", srv.Storage)
	if err != nil || !strings.Contains(out, "revoked") || !strings.Contains(out, "expired") {
		t.Errorf("token list does not show the revoked and expired tokens (%v):\n%s", err, out)
	}
	logs := srv.Logs()
	for _, tok := range []string{admin, good, expiring} {
		secret := strings.SplitN(tok, "_", 3)[2]
		if strings.Contains(logs, secret) {
			t.Errorf("the server log holds a token secret")
		}
	}
	if !strings.Contains(logs, `"token":"`+id+`"`) {
		t.Errorf("the server log does not name the token ID of requests")
	}
}

// expireAll moves every token record's expiry (those that have one) into
// the past, as if the time had passed.
func expireAll(t *testing.T, storageDir string) {
	t.Helper()
	dir := filepath.Join(storageDir, "savepoint-server", "tokens", "lease")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, []byte(`"expires"`)) {
			continue
		}
		i := bytes.Index(data, []byte(`"expires":"`)) + len(`"expires":"`)
		j := i + bytes.IndexByte(data[i:], '"')
		data = []byte(fmt.Sprintf("%s%s%s", data[:i], "2001-01-01T00:00:00Z", data[j:]))
		os.Chmod(p, 0o600)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
