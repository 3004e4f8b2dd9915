package oci_test

import (
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage/oci"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/stallproxy"
)

// TestStalledTransfers: a connection that stops moving bytes half-way
// through a blob upload or download, without closing, costs the backend's
// idle timeout and a retry, and the operation succeeds within
// storagetest.StallBound. The backend runs with its default settings,
// through a TCP proxy in front of the real registry.
func TestStalledTransfers(t *testing.T) {
	p := stallproxy.Start(t, requireRegistry(t))
	b := newBackend(t, p.Addr(), oci.Options{})
	defer b.Close()
	storagetest.SaveLoadThroughStalls(t, b, p)
}
