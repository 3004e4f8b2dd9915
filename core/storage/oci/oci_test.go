package oci_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/oci"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
)

// inProcess starts go-containerregistry's in-process registry, optionally
// behind a wrapper, and returns its host:port.
func inProcess(t *testing.T, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	var h http.Handler = registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// repoSeq numbers repositories; runID keeps runs against a long-lived
// registry apart.
var (
	repoSeq atomic.Int64
	runID   = strconv.FormatInt(time.Now().UnixNano(), 36)
)

func newBackend(t *testing.T, host string, opts oci.Options) *oci.Backend {
	t.Helper()
	b, err := oci.New(fmt.Sprintf("oci://%s/savepoint-test/%s-%d", host, runID, repoSeq.Add(1)), opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Create(context.Background()); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestConformanceInProcess(t *testing.T) {
	host := inProcess(t, nil)
	storagetest.Run(t, func(t *testing.T) storage.Backend { return newBackend(t, host, oci.Options{}) })
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
