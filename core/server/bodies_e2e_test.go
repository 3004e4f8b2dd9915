package server_test

import (
	"bytes"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// TestBodiesStoredWhole: uploads of one size in a row (the server reuses
// the body buffer of one for the next) each store their own bytes.
func TestBodiesStoredWhole(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	be := created(t, srv, "repo", srv.Token("*", "admin"))
	var hs []storage.Handle
	var blobs [][]byte
	for range 6 {
		data, name := storagetest.Blob(1 << 20)
		h := storage.Handle{Kind: storage.KindData, Name: name}
		put(t, be, h, data)
		hs, blobs = append(hs, h), append(blobs, data)
	}
	for i, h := range hs {
		if !bytes.Equal(load(t, be, h), blobs[i]) {
			t.Fatalf("%s does not hold the bytes uploaded", h)
		}
	}
}
