// Package testsnap opens a repository a test has written to and lists its
// snapshots. It is apart from testrepo because it imports core/snapshot,
// whose own tests import testrepo.
package testsnap

import (
	"context"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// List opens the repository in be with password, as a new process would,
// and lists its snapshots; it fails the test on any error. The repository
// is closed when the test ends.
func List(t testing.TB, be storage.Backend, password string) (*repository.Repository, []*snapshot.Snapshot) {
	t.Helper()
	ctx := context.Background()
	repo, err := repository.Open(ctx, be, repository.OpenOptions{Password: password})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { repo.Close() })
	snaps, err := snapshot.List(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	return repo, snaps
}
