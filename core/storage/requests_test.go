package storage_test

import (
	"net/http"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
)

func TestAddHTTP(t *testing.T) {
	for _, tc := range []struct {
		method string
		list   bool
		want   storage.Requests
	}{
		{http.MethodGet, false, storage.Requests{Get: 1}},
		{http.MethodGet, true, storage.Requests{List: 1}},
		{http.MethodHead, false, storage.Requests{Head: 1}},
		{http.MethodDelete, false, storage.Requests{Delete: 1}},
		{http.MethodPut, false, storage.Requests{Put: 1}},
		{http.MethodPost, false, storage.Requests{Put: 1}},
		{http.MethodPatch, false, storage.Requests{Put: 1}},
	} {
		var c storage.Counter
		c.AddHTTP(tc.method, tc.list)
		if got := c.Requests(); got != tc.want {
			t.Errorf("%s (list %v) counted as %+v, want %+v", tc.method, tc.list, got, tc.want)
		}
	}
}
