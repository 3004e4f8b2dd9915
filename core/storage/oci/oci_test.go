package oci_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/oci"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/testregistry"
)

// inProcess serves go-containerregistry's registry on loopback (wrap, if
// set, wraps its handler) and returns its host:port.
var inProcess = testregistry.InProcess

// repoSeq numbers repositories; runID keeps runs against a long-lived
// registry apart.
var (
	repoSeq atomic.Int64
	runID   = strconv.FormatInt(time.Now().UnixNano(), 36)
)

func newBackend(t *testing.T, host string, opts oci.Options) *oci.Backend {
	t.Helper()
	b, err := oci.New(fmt.Sprintf("oci://%s/savepoint-test/%s-%d", host, runID, repoSeq.Add(1)), opts)
	return storagetest.Created(t, b, err)
}

// TestConformanceInProcess runs the suite against go-containerregistry's
// in-process registry, as it is and behind wrappers that make it behave as
// registries in the wild do.
func TestConformanceInProcess(t *testing.T) {
	for _, tc := range []struct {
		name string
		wrap func(http.Handler) http.Handler
		opts oci.Options
	}{
		{"plain", nil, oci.Options{}},
		// With a third of the requests failing, retries keep every
		// operation whole.
		{"flaky", flaky, oci.Options{Keychain: anonymous, RetryDelay: time.Millisecond}},
		// Blob downloads are redirected to a CDN (GHCR).
		{"redirected blobs", cdn, oci.Options{Keychain: anonymous}},
		// Without the DELETE API (GHCR), removal by tombstones keeps the
		// whole contract.
		{"no delete", noDelete, oci.Options{Keychain: anonymous}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := inProcess(t, tc.wrap)
			storagetest.Run(t, func(t *testing.T) storage.Backend { return newBackend(t, host, tc.opts) })
		})
	}
}

func TestLocationHasNoCredentials(t *testing.T) {
	b, err := oci.New("oci://ghcr.io/acme/app-savepoints", oci.Options{Username: "me", Password: "s3cret-token"})
	if err != nil {
		t.Fatal(err)
	}
	if loc := b.Location(); loc != "oci://ghcr.io/acme/app-savepoints" {
		t.Fatalf("Location() = %q", loc)
	}
}

func TestBadReferences(t *testing.T) {
	for _, ref := range []string{"oci://", "oci://ghcr.io", "oci://acme/app", "oci://ghcr.io/acme/app:latest", "oci://ghcr.io/acme/app@sha256:00", "oci://ghcr.io/Acme/App"} {
		if _, err := oci.New(ref, oci.Options{}); err == nil {
			t.Errorf("New(%q) accepted a bad repository reference", ref)
		}
	}
}

// TestListPages lists more tags than fit in one page.
func TestListPages(t *testing.T) {
	for _, reg := range registries(t) {
		t.Run(reg.name, func(t *testing.T) {
			ctx := t.Context()
			b := newBackend(t, reg.host, oci.Options{PageSize: 7, Keychain: anonymous})
			want := map[string]bool{}
			for i := 0; i < 30; i++ {
				data, name := storagetest.Blob(10 + i)
				if err := b.Save(ctx, storage.Handle{Kind: storage.KindData, Name: name}, data); err != nil {
					t.Fatal(err)
				}
				want[name] = true
			}
			got := map[string]bool{}
			err := b.List(ctx, storage.KindData, func(fi storage.Info) error {
				if got[fi.Name] || !want[fi.Name] {
					return fmt.Errorf("%s listed twice or unknown", fi.Name)
				}
				got[fi.Name] = true
				return nil
			})
			if err != nil || len(got) != len(want) {
				t.Fatalf("listed %d of %d objects (%v)", len(got), len(want), err)
			}
			t.Logf("LIST requests for 30 tags in pages of 7: %d", b.Requests().List)
		})
	}
}

// flaky answers the first attempt of every distinct request with 503, as an
// overloaded registry may; uploads are told apart by their digest.
func flaky(next http.Handler) http.Handler {
	var mu sync.Mutex
	seen := map[string]bool{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Method + " " + r.URL.Path
		if i := strings.Index(r.URL.Path, "/blobs/uploads/"); i >= 0 {
			key = r.Method + " " + r.URL.Path[:i] + "/upload/" + r.URL.Query().Get("digest")
		}
		key += " " + r.Header.Get("Range") + r.URL.Query().Get("last")
		mu.Lock()
		first := !seen[key]
		seen[key] = true
		mu.Unlock()
		if first {
			testregistry.Error(w, http.StatusServiceUnavailable, "UNAVAILABLE", "try later")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// cdn answers blob GETs with a 307 to a signed URL on another path, the way
// GHCR sends downloads to its CDN.
func cdn(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rest, ok := strings.CutPrefix(r.URL.Path, "/cdn"); ok {
			if r.URL.Query().Get("sig") != "s3cr3t" || r.Header.Get("Authorization") != "" {
				http.Error(w, "bad signature or leaked credentials", http.StatusForbidden)
				return
			}
			r2 := r.Clone(r.Context())
			r2.URL.Path, r2.URL.RawQuery = rest, ""
			next.ServeHTTP(w, r2)
			return
		}
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/blobs/sha256:") {
			http.Redirect(w, r, "/cdn"+r.URL.Path+"?sig=s3cr3t", http.StatusTemporaryRedirect)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// TestSaveWithoutCreate: a repository whose empty config blob is missing
// (never initialised through Create) still takes manifests.
func TestSaveWithoutCreate(t *testing.T) {
	for _, reg := range registries(t) {
		t.Run(reg.name, func(t *testing.T) {
			b, err := oci.New(fmt.Sprintf("oci://%s/savepoint-test/%s-nocreate-%d", reg.host, runID, repoSeq.Add(1)), oci.Options{Keychain: anonymous})
			if err != nil {
				t.Fatal(err)
			}
			data, name := storagetest.Blob(500)
			h := storage.Handle{Kind: storage.KindSnapshot, Name: name}
			if err := b.Save(t.Context(), h, data); err != nil {
				t.Fatal(err)
			}
			if _, err := b.Stat(t.Context(), h); err != nil {
				t.Fatal(err)
			}
		})
	}
}
