// Package testregistry serves an in-process registry and pushes small
// random images for tests of image sources, pins and rollback.
package testregistry

import (
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
