package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// FailedPrefix starts the name of a verify-failure marker (KindLease):
// "failed-" + the snapshot's ID. Save never uses such a snapshot as its
// parent (PBS's rule: a base that failed verification is never reused).
const FailedPrefix = "failed-"

// Failure is the sealed content of a failure marker.
type Failure struct {
	Time     time.Time `json:"time"`
	Problems int       `json:"problems"`
	First    string    `json:"first"`
	Data     bool      `json:"data,omitempty"` // found by reading pack data
}

func failedHandle(id repository.ID) storage.Handle {
	return storage.Handle{Kind: storage.KindLease, Name: FailedPrefix + id.String()}
}

// FailedSnapshots returns the IDs of snapshots a verify marked as failed.
// It costs one LIST.
func FailedSnapshots(ctx context.Context, be storage.Backend) (map[repository.ID]bool, error) {
	out := map[repository.ID]bool{}
	err := be.List(ctx, storage.KindLease, func(fi storage.Info) error {
		if rest, ok := strings.CutPrefix(fi.Name, FailedPrefix); ok {
			if id, err := repository.ParseID(rest); err == nil {
				out[id] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing verify results: %w", err)
	}
	return out, nil
}

func readFailure(ctx context.Context, repo *repository.Repository, id repository.ID) (*Failure, error) {
	data, err := storage.LoadAll(ctx, repo.Backend(), failedHandle(id))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var f Failure
	if err := repo.OpenJSON(data, &f); err != nil {
		return &Failure{Data: true}, nil // unreadable: keep it
	}
	return &f, nil
}
