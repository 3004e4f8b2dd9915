package storagetest

import (
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// Requests runs op (what names it) and checks that it made exactly the
// requests want, as b counts them: it fails the test when op fails and
// reports a count that differs.
func Requests(t testing.TB, b storage.RequestCounter, what string, want storage.Requests, op func() error) {
	t.Helper()
	before := b.Requests()
	if err := op(); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if got := b.Requests().Sub(before); got != want {
		t.Errorf("%s: requests %+v, want %+v", what, got, want)
	}
}
