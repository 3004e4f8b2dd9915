package oci_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/oci"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/testregistry"
)

// tokenServer puts a registry behind bearer-token auth the way GHCR, the
// GitLab registry and Harbor do: /v2/ answers 401 with a Bearer challenge,
// /token trades basic credentials for a token bound to the asked scope.
type tokenServer struct {
	user, pass string
	// pushDeletes: like GitLab and Harbor, the token service does not
	// know a "delete" action (refuses it) and push tokens may delete.
	pushDeletes bool
	mu          sync.Mutex
	tokens      map[string]string // token -> scope actions
	scopes      []string          // every scope asked for, in order
	host        string
}

func (s *tokenServer) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			u, p, ok := r.BasicAuth()
			if !ok || u != s.user || p != s.pass {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			scope := r.URL.Query().Get("scope")
			if s.pushDeletes && strings.Contains(scope, "delete") {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			if s.pushDeletes && strings.Contains(scope, "push") {
				scope += ",delete"
			}
			s.mu.Lock()
			tok := fmt.Sprintf("tok%d", len(s.tokens))
			s.tokens[tok] = scope[strings.LastIndex(scope, ":")+1:]
			s.scopes = append(s.scopes, scope)
			s.mu.Unlock()
			json.NewEncoder(w).Encode(map[string]string{"token": tok})
			return
		}
		s.mu.Lock()
		actions, ok := s.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		s.mu.Unlock()
		need := "pull"
		switch r.Method {
		case http.MethodPut, http.MethodPost, http.MethodPatch:
			need = "push"
		case http.MethodDelete:
			need = "delete"
		}
		if r.URL.Path != "/v2/" && (!ok || !strings.Contains(actions, need)) || r.URL.Path == "/v2/" && !ok {
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="http://%s/token",service="test"`, s.host))
			testregistry.Error(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func bearerRegistry(t *testing.T) (*tokenServer, string) {
	s := &tokenServer{user: "ci", pass: "job-token", tokens: map[string]string{}}
	s.host = inProcess(t, s.wrap)
	return s, s.host
}

func TestConformanceBearer(t *testing.T) {
	_, host := bearerRegistry(t)
	storagetest.Run(t, func(t *testing.T) storage.Backend {
		return newBackend(t, host, oci.Options{Username: "ci", Password: "job-token"})
	})
}

// TestRequests pins the number of requests each operation makes (figures
// quoted in docs/FORMAT.md), on a bearer-token registry.
func TestRequests(t *testing.T) {
	_, host := bearerRegistry(t)
	ctx := t.Context()
	opts := oci.Options{Username: "ci", Password: "job-token"}
	data, name := storagetest.Blob(64 << 10)
	h := storage.Handle{Kind: storage.KindData, Name: name}
	snap, sname := storagetest.Blob(1000)
	sh := storage.Handle{Kind: storage.KindSnapshot, Name: sname}
	sess := storage.Handle{Kind: storage.KindSession, Name: "writer-1"}

	w := newBackend(t, host, opts) // Create: ping, push token, HEAD + upload of the empty config
	if got := w.Requests(); got != (storage.Requests{Get: 2, Head: 1, Put: 2}) {
		t.Errorf("Create: requests %+v", got)
	}
	storagetest.Requests(t, w, "Save(data)", storage.Requests{Put: 3}, func() error { return w.Save(ctx, h, data) })
	storagetest.Requests(t, w, "Save(snapshot)", storage.Requests{Put: 3}, func() error { return w.Save(ctx, sh, snap) })
	storagetest.Requests(t, w, "Save(new session)", storage.Requests{Put: 3}, func() error { return w.Save(ctx, sess, []byte("v1")) })
	storagetest.Requests(t, w, "Save(replaced session)", storage.Requests{Put: 3}, func() error { return w.Save(ctx, sess, []byte("v2")) })

	r, _ := oci.New(w.Location(), opts) // a cold reader: ping + pull token on first use
	storagetest.Requests(t, r, "first Load(data)", storage.Requests{Get: 3}, func() error { _, err := storage.LoadAll(ctx, r, h); return err })
	storagetest.Requests(t, r, "Load(data, range)", storage.Requests{Get: 1}, func() error {
		rd, err := r.Load(ctx, h, 1000, 4096)
		if err == nil {
			rd.Close()
		}
		return err
	})
	storagetest.Requests(t, r, "Load(session, inlined)", storage.Requests{Get: 1}, func() error { _, err := storage.LoadAll(ctx, r, sess); return err })
	storagetest.Requests(t, r, "Stat(data)", storage.Requests{Head: 1, Get: 1}, func() error { _, err := r.Stat(ctx, h); return err })
	storagetest.Requests(t, r, "Stat(session)", storage.Requests{Get: 1}, func() error { _, err := r.Stat(ctx, sess); return err })
	storagetest.Requests(t, r, "List(snapshots)", storage.Requests{List: 1}, func() error {
		return r.List(ctx, storage.KindSnapshot, func(storage.Info) error { return nil })
	})
	// Lists right after another List reuse its tags listing (tagcache.go).
	storagetest.Requests(t, r, "List(data)", storage.Requests{Get: 1}, func() error {
		return r.List(ctx, storage.KindData, func(fi storage.Info) error {
			if fi.ModTime.IsZero() || fi.Size != int64(len(data)) {
				return fmt.Errorf("List(data) gave %+v", fi)
			}
			return nil
		})
	})
	storagetest.Requests(t, r, "List(sessions)", storage.Requests{Get: 1}, func() error {
		return r.List(ctx, storage.KindSession, func(storage.Info) error { return nil })
	})
	// a write drops the cache: the List after it reads the tags again (the
	// writer also fetches its first pull token here)
	storagetest.Requests(t, w, "Save(session) then List(sessions)", storage.Requests{Put: 3, List: 1, Get: 2}, func() error {
		if err := w.Save(ctx, sess, []byte("v3")); err != nil {
			return err
		}
		return w.List(ctx, storage.KindSession, func(storage.Info) error { return nil })
	})
	// Remove: delete token, blob HEAD (size), manifest HEAD (digest), DELETE
	// by digest, and on this registry (which keeps tags) DELETE of the tag.
	storagetest.Requests(t, r, "Remove(snapshot)", storage.Requests{Get: 1, Head: 2, Delete: 2}, func() error { return r.Remove(ctx, sh) })

}

func TestReadOnlyCredentialsRead(t *testing.T) {
	srv, host := bearerRegistry(t)
	ctx := t.Context()
	w := newBackend(t, host, oci.Options{Username: "ci", Password: "job-token"})
	data, name := storagetest.Blob(1000)
	h := storage.Handle{Kind: storage.KindSnapshot, Name: name}
	if err := w.Save(ctx, h, data); err != nil {
		t.Fatal(err)
	}
	n := len(srv.scopes)
	r, _ := oci.New(w.Location(), oci.Options{Username: "ci", Password: "job-token"})
	if _, err := storage.LoadAll(ctx, r, h); err != nil {
		t.Fatal(err)
	}
	if err := r.List(ctx, storage.KindSnapshot, func(storage.Info) error { return nil }); err != nil {
		t.Fatal(err)
	}
	for _, s := range srv.scopes[n:] {
		if !strings.HasSuffix(s, ":pull") {
			t.Errorf("a reader asked for scope %q, want pull only", s)
		}
	}
}

func TestDeleteWithPushToken(t *testing.T) {
	s := &tokenServer{user: "ci", pass: "job-token", tokens: map[string]string{}, pushDeletes: true}
	s.host = inProcess(t, s.wrap)
	ctx := t.Context()
	b := newBackend(t, s.host, oci.Options{Username: "ci", Password: "job-token"})
	data, name := storagetest.Blob(1000)
	h := storage.Handle{Kind: storage.KindSnapshot, Name: name}
	if err := b.Save(ctx, h, data); err != nil {
		t.Fatal(err)
	}
	if err := b.Remove(ctx, h); err != nil {
		t.Fatalf("Remove with a token service that refuses the delete action: %v", err)
	}
	if _, err := b.Stat(ctx, h); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Stat after Remove: %v", err)
	}
}
