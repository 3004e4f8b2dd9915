package server_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// TestQuota: an append token's write that would pass the repository's
// quota is refused with storage.ErrQuota and a message saying so; what is
// stored stays, and an admin can still clean up.
func TestQuota(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Args: []string{"--quota", "200KiB"}})
	tok := srv.Token("ci", "append")
	be := created(t, srv, "ci", tok)
	first, n1 := storagetest.Blob(150 << 10)
	h1 := storage.Handle{Kind: storage.KindData, Name: n1}
	put(t, be, h1, first)
	second, n2 := storagetest.Blob(100 << 10)
	h2 := storage.Handle{Kind: storage.KindData, Name: n2}
	err := be.Save(t.Context(), h2, second)
	if !errors.Is(err, storage.ErrQuota) || !strings.Contains(err.Error(), "quota") {
		t.Fatalf("a save over the quota: %v, want ErrQuota", err)
	}
	if _, err := be.Stat(t.Context(), h2); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("the refused object was stored: %v", err)
	}
	if got := load(t, be, h1); string(got) != string(first) {
		t.Error("the object stored before the quota was reached changed")
	}
	// Re-sending what is stored costs nothing and succeeds.
	put(t, be, h1, first)
	// An admin removes data; the quota makes room again.
	adminBe := backend(t, srv, "ci", srv.Token("ci", "admin"))
	if err := adminBe.Remove(t.Context(), h1); err != nil {
		t.Fatal(err)
	}
	put(t, be, h2, second)
}

// TestRequestSizeLimit: a body above --max-request-size is refused with
// 413 and a message naming the limit, with or without a Content-Length.
func TestRequestSizeLimit(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Args: []string{"--max-request-size", "64KiB"}})
	tok := srv.Token("ci", "admin")
	be := created(t, srv, "ci", tok)
	data, n := storagetest.Blob(100 << 10)
	err := be.Save(t.Context(), storage.Handle{Kind: storage.KindData, Name: n}, data)
	if !errors.Is(err, storage.ErrInvalid) || !strings.Contains(err.Error(), "request-size limit") {
		t.Fatalf("an object above the limit: %v", err)
	}
	// Chunked, without a Content-Length.
	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/ci/data/"+n, strings.NewReader(string(data)))
	req.ContentLength = -1
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("a chunked body above the limit: HTTP %d", resp.StatusCode)
	}
	small, sn := storagetest.Blob(60 << 10)
	put(t, be, storage.Handle{Kind: storage.KindData, Name: sn}, small)
}
