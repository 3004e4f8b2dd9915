// Package testregistry serves an in-process registry and pushes small
// random images for tests of image sources, pins and rollback.
package testregistry

import (
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// PushRandom pushes a small random image (two 1 KiB layers) to ref, a
// tag reference such as 127.0.0.1:5000/app:prod, and returns its digest.
func PushRandom(t testing.TB, ref string) v1.Hash {
	t.Helper()
	img, err := random.Image(1024, 2)
	if err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// InProcess serves go-containerregistry's registry on loopback for the
// test and returns its host:port. wrap, if set, wraps its handler (auth,
// faults, counting).
func InProcess(t testing.TB, wrap func(http.Handler) http.Handler) string {
	h := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// Error answers a request the way a registry refuses one: HTTP status and
// a JSON body of the distribution spec's errors with code and message.
func Error(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body, _ := json.Marshal(map[string][]map[string]string{"errors": {{"code": code, "message": message}}})
	w.Write(body)
}

// Refuse wraps a registry's handler (InProcess's wrap): the requests when
// matches are answered with Error(status, code, message), the others
// served.
func Refuse(when func(*http.Request) bool, status int, code, message string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if when(r) {
				Error(w, status, code, message)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// BasicAuth wraps a registry's handler so that it serves only requests
// with HTTP basic credentials user and pass; others get a 401 with a
// Basic challenge, as a registry without token auth answers.
func BasicAuth(user, pass string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
				w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				Error(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Digest returns the digest the tag reference ref points to now.
func Digest(t testing.TB, ref string) string {
	t.Helper()
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	d, err := remote.Head(tag)
	if err != nil {
		t.Fatal(err)
	}
	return d.Digest.String()
}
