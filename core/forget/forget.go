// Package forget removes snapshots by retention rules: the decisions come
// from package retention, each removal is snapshot.Remove (one DELETE).
// The data they used stays until prune. The CLI runs it against any
// storage; a savepoint server runs it next to its storage for an admin
// client.
package forget

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/retention"
	"github.com/savepoint-ci/savepoint/core/snapshot"
)

// Options say which snapshots to consider and which to keep. They travel
// as JSON to a server that runs forget itself.
type Options struct {
	Policy retention.Policy `json:"policy"`
	Name   string           `json:"name,omitempty"` // only snapshots with this name
	DryRun bool             `json:"dry_run,omitempty"`
}

// Entry is one snapshot's decision.
type Entry struct {
	ID      string    `json:"id"`
	ShortID string    `json:"short_id"`
	Time    time.Time `json:"time"`
	Name    string    `json:"name,omitempty"`
	Group   string    `json:"group"`
	Keep    bool      `json:"keep"`
	Reasons []string  `json:"reasons"`
}

// Result is what forget decided and did (the JSON of `savepoint forget
// --json`, docs/json.md).
type Result struct {
	DryRun    bool    `json:"dry_run"`
	Removed   int     `json:"removed"`
	Snapshots []Entry `json:"snapshots"`
}

// ErrPolicy wraps the retention package's refusal of a policy.
var ErrPolicy = errors.New("invalid retention policy")

// Run applies the policy at time now and removes the snapshots it does
// not keep (none with DryRun). A removal that fails stops the run; the
// error says how many went before it. A policy the retention rules refuse
// is ErrPolicy.
func Run(ctx context.Context, repo *repository.Repository, o Options, now time.Time) (*Result, error) {
	list, err := snapshot.List(ctx, repo)
	if err != nil {
		return nil, err
	}
	list = snapshot.Select(list, snapshot.Filter{Name: o.Name})
	ds, err := retention.Apply(list, o.Policy, now)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPolicy, err)
	}
	res := &Result{DryRun: o.DryRun, Snapshots: []Entry{}}
	for _, d := range ds {
		s := d.Snapshot
		res.Snapshots = append(res.Snapshots, Entry{ID: s.ID.String(), ShortID: s.ID.Short(), Time: s.Time,
			Name: s.Name, Group: d.Group, Keep: d.Keep, Reasons: d.Reasons})
	}
	for _, d := range ds {
		if d.Keep || o.DryRun {
			continue
		}
		if err := snapshot.Remove(ctx, repo, d.Snapshot.ID); err != nil {
			return res, fmt.Errorf("removing snapshot %s: %w (%d removed before it)", d.Snapshot.ID.Short(), err, res.Removed)
		}
		res.Removed++
	}
	return res, nil
}
