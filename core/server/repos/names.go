package repos

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/savepoint-ci/savepoint/core/location"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/remote/protocol"
)

// ErrNoListing means the storage cannot list the locations below it (an
// OCI registry: its catalog is not read yet).
var ErrNoListing = errors.New("this storage cannot list its repositories")

// Names returns the names of the repositories in the storage, sorted:
// every location below it whose name is a valid repository name (the
// server's own records, under a reserved name, are not one).
func (h *Hub) Names(ctx context.Context) ([]string, error) {
	be, err := location.Open(ctx, h.o.Storage, h.o.Location)
	if err != nil {
		return nil, err
	}
	defer be.Close()
	ns, ok := be.(storage.Namespace)
	if !ok {
		return nil, fmt.Errorf("%s: %w", be.Location(), ErrNoListing)
	}
	var out []string
	err = ns.Names(ctx, func(name string) error {
		if protocol.CheckRepoName(name) == nil {
			out = append(out, name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing the repositories: %w", err)
	}
	slices.Sort(out)
	return out, nil
}
