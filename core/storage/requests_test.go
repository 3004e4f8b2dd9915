package storage_test

import (
	"net/http"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// TestAddHTTP: a GET is a get or a list, as the caller says; any method
// but GET, HEAD and DELETE is a put.
func TestAddHTTP(t *testing.T) {
	var c storage.Counter
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodDelete, http.MethodPut, http.MethodPost, http.MethodPatch} {
		c.AddHTTP(m, false)
	}
	c.AddHTTP(http.MethodGet, true)
	want := storage.Requests{Get: 1, List: 1, Head: 1, Delete: 1, Put: 3}
	if got := c.Requests(); got != want {
		t.Fatalf("counted %+v, want %+v", got, want)
	}
}
