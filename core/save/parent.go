package save

import (
	"context"
	"slices"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/verify"
)

// FindParent picks the newest snapshot with the same name and paths, the
// base for change detection: only snapshots whose paths match can help,
// and none that a verify found damaged. Nil when there is none.
func FindParent(ctx context.Context, repo *repository.Repository, name string, paths []string) (*snapshot.Snapshot, error) {
	list, err := snapshot.List(ctx, repo)
	if err != nil {
		return nil, err
	}
	failed, err := verify.FailedSnapshots(ctx, repo.Backend())
	if err != nil {
		return nil, err
	}
	stored := make([]string, len(paths))
	for i, p := range paths {
		stored[i] = StoredPath(p)
	}
	for i := len(list) - 1; i >= 0; i-- {
		s := list[i]
		if s.Name == name && s.Tree != nil && !failed[s.ID] && slices.Equal(s.Paths, stored) {
			return s, nil
		}
	}
	return nil, nil
}
