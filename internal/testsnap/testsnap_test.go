package testsnap_test

import (
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
	"github.com/savepoint-ci/savepoint/internal/testsnap"
)

// TestList: the snapshots a closed repository holds are listed through a
// fresh open of its backend.
func TestList(t *testing.T) {
	saved := map[repository.ID]bool{}
	repo, be := testrepo.New(t)
	for _, name := range []string{"build", "deps"} {
		id, err := snapshot.Save(t.Context(), repo, &snapshot.Snapshot{Name: name, Time: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		saved[id] = true
	}
	repo.Close()
	_, snaps := testsnap.List(t, be, "test-password")
	if len(snaps) != len(saved) {
		t.Fatalf("got %d snapshots, want %d", len(snaps), len(saved))
	}
	for _, s := range snaps {
		if !saved[s.ID] {
			t.Fatalf("snapshot %s was not saved", s.ID.Short())
		}
	}
}
