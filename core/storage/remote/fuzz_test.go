package remote_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/remote"
)

// answerServer answers every request with the status and body the current
// fuzz input gives.
type answerServer struct {
	mu     sync.Mutex
	status int
	body   []byte
}

func (a *answerServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	status, body := a.status, a.body
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// FuzzServerAnswer: what a server (or whatever answers in its place)
// sends back to a list, a stat or a save. The client never panics; an error
// answer becomes an error (a 4xx one a storage sentinel); a listing
// either fails or hands out each object once, under a name the client can
// use as a handle (a name such as "../x" is not passed on).
func FuzzServerAnswer(f *testing.F) {
	f.Add(200, []byte(`[{"name":"a1","size":3,"mtime":"2026-12-02T19:00:00Z"},{"name":"a1","size":3}]`))
	f.Add(200, []byte(`[{"name":"../../config","size":1},{"name":".hidden"},{"name":""},{"name":"a\\u0000b"}]`))
	f.Add(200, []byte(`[{"name":"x","size":-5,"mtime":"not a time"}`))
	f.Add(200, []byte(`{"name":"x"}`))
	f.Add(403, []byte(`{"error":"refused: x needs a token with role admin","code":"forbidden","role":"admin"}`))
	f.Add(404, []byte(`{"error":"no repository app","code":"no-repository"}`))
	f.Add(507, []byte(`{"error":"quota","code":"quota"}`))
	f.Add(501, []byte(`{"error":"no password","code":"no-password"}`))
	f.Add(418, []byte("I'm a teapot\n\nwith lines"))
	f.Add(503, []byte{})
	a := &answerServer{}
	srv := httptest.NewServer(a)
	f.Cleanup(srv.Close)
	be, err := remote.New(remote.Options{URL: srv.URL + "/app", Token: "spt_0123456789abcdef_secret"})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { be.Close() })
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 200 || status > 599 || status/100 == 3 || status == http.StatusTooManyRequests || (status >= 500 && status != 501 && status != 507) {
			return // redirects are the HTTP client's; 429 and 5xx answers are retried with backoff (retry_test.go)
		}
		a.mu.Lock()
		a.status, a.body = status, body
		a.mu.Unlock()
		ctx := t.Context()
		seen := map[string]bool{}
		err := be.List(ctx, storage.KindSession, func(fi storage.Info) error {
			if seen[fi.Name] {
				t.Fatalf("listing gave %q twice", fi.Name)
			}
			seen[fi.Name] = true
			if err := storage.CheckHandle(storage.Handle{Kind: storage.KindSession, Name: fi.Name}); err != nil {
				t.Fatalf("listing gave a name the client cannot use: %v", err)
			}
			return nil
		})
		if status/100 != 2 {
			if err == nil {
				t.Fatalf("list answered %d: no error", status)
			}
			if status/100 == 4 && !errors.Is(err, storage.ErrPermission) && !errors.Is(err, storage.ErrNotFound) &&
				!errors.Is(err, storage.ErrInvalid) && !errors.Is(err, storage.ErrUnavailable) && !errors.Is(err, remote.ErrNoToken) &&
				!errors.Is(err, storage.ErrQuota) && !errors.Is(err, remote.ErrNoServerPassword) {
				t.Fatalf("list answered %d: %v is no storage error", status, err)
			}
		}
		be.Stat(ctx, storage.Handle{Kind: storage.KindSession, Name: "m"})
		if err := be.Save(ctx, storage.Handle{Kind: storage.KindSession, Name: "m"}, []byte("x")); status/100 != 2 && err == nil {
			t.Fatalf("save answered %d: no error", status)
		}
	})
}
