package rollback

import (
	"errors"
	"fmt"
	"strings"

	"github.com/savepoint-ci/savepoint/core/provenance"
	"github.com/savepoint-ci/savepoint/core/snapshot"
)

// Selector says which snapshot to roll back to.
type Selector struct {
	Name string // checkpoint name (production)
	// To is a snapshot reference (ID prefix, latest, NAME:latest); it
	// wins over the rest.
	To string
	// BeforeCommit selects the state from just before the deploy of that
	// commit: the oldest checkpoint (of Name, if given) whose provenance
	// commit starts with BeforeCommit. That checkpoint was taken by the
	// commit's own pipeline before it deployed, so it holds the data and
	// image digests the commit's deploy then changed.
	BeforeCommit string
}

// Errors of Select.
var (
	// ErrNoCheckpoint means no checkpoint matches the selector.
	ErrNoCheckpoint = errors.New("no matching checkpoint")
	// ErrNoSelector means the selector names nothing to roll back to.
	ErrNoSelector = errors.New("say what to roll back to: a checkpoint name, a snapshot or a commit")
	// ErrShortCommit means BeforeCommit has fewer than 7 characters.
	ErrShortCommit = errors.New("give at least 7 characters of the commit")
)

// Select picks the snapshot to roll back to from list (oldest first).
// Without To or BeforeCommit it is the newest checkpoint of Name.
func Select(list []*snapshot.Snapshot, sel Selector) (*snapshot.Snapshot, error) {
	if sel.To != "" {
		return snapshot.Find(list, sel.To)
	}
	var cps []*snapshot.Snapshot
	for _, s := range list {
		if s.Checkpoint && (sel.Name == "" || s.Name == sel.Name) {
			cps = append(cps, s)
		}
	}
	what := "checkpoint"
	if sel.Name != "" {
		what = fmt.Sprintf("checkpoint named %q", sel.Name)
	}
	if sel.BeforeCommit != "" {
		if len(sel.BeforeCommit) < 7 {
			return nil, fmt.Errorf("commit %q: %w", sel.BeforeCommit, ErrShortCommit)
		}
		want := strings.ToLower(sel.BeforeCommit)
		for _, s := range cps {
			if c := strings.ToLower(s.Provenance[provenance.Commit]); c != "" && strings.HasPrefix(c, want) {
				return s, nil
			}
		}
		return nil, fmt.Errorf("no %s was taken by commit %s: %w", what, sel.BeforeCommit, ErrNoCheckpoint)
	}
	if sel.Name == "" {
		return nil, ErrNoSelector
	}
	if len(cps) == 0 {
		return nil, fmt.Errorf("no %s in the repository: %w", what, ErrNoCheckpoint)
	}
	return cps[len(cps)-1], nil
}
