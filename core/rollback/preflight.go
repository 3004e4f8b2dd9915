package rollback

import (
	"context"
	"errors"
	"fmt"

	"github.com/savepoint-ci/savepoint/core/capture"
	"github.com/savepoint-ci/savepoint/core/image"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
)

// ErrPreflight is wrapped by Apply's error when a check made before any
// step failed; then no step has run.
var ErrPreflight = errors.New("rollback cannot start")

// ErrImageGone: the registry no longer has an image digest the checkpoint
// recorded, most likely garbage-collected since nothing referred to it.
var ErrImageGone = errors.New("a registry keeps only the images a tag or a pin refers to")

// preflight checks, before anything changes, what can be checked cheaply:
// every chunk of the streams to restore is in the index, and every image
// digest to re-point still exists in its registry (unpinned manifests may
// have been garbage-collected).
func preflight(ctx context.Context, repo *repository.Repository, snap *snapshot.Snapshot, p *Plan, o ApplyOptions) error {
	needIndex := false
	for _, st := range p.Steps {
		if st.Kind == StepCommand {
			needIndex = true
		}
	}
	if needIndex {
		if err := repo.LoadIndex(ctx); err != nil {
			return err
		}
	}
	for _, st := range p.Steps {
		switch st.Kind {
		case StepCommand:
			src, err := capture.FindSource(snap, st.Source)
			if err != nil {
				return err
			}
			for i, id := range src.Content {
				if !repo.Index().Has(id) {
					return fmt.Errorf("source %s: chunk %d of %d is missing from the repository (pruned or damaged): %w",
						src.Name, i+1, len(src.Content), repository.ErrBlobNotFound)
				}
			}
		case StepImage:
			if o.Images == nil {
				return errors.New("no registry client configured")
			}
			if err := o.Images.Exists(ctx, st.Image, st.Digest); errors.Is(err, image.ErrNotFound) {
				return fmt.Errorf("%w (%w)", err, ErrImageGone)
			} else if err != nil {
				return err
			}
		}
	}
	return nil
}
