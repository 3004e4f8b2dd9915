package snapcopy

import (
	"errors"
	"fmt"

	"github.com/savepoint-ci/savepoint/core/snapshot"
)

// ErrNoSelection means Options selects nothing: no snapshot references, no
// name and not All.
var ErrNoSelection = errors.New("no snapshots selected: name snapshots, a name or all")

// ErrAmbiguousSelection means Options mixes two ways of selecting.
var ErrAmbiguousSelection = errors.New("select snapshots one way only: by reference, by name or all")

// selectSnapshots picks the source snapshots o names, oldest first and
// each once. A reference or name that matches nothing wraps
// snapshot.ErrNotFound.
func selectSnapshots(list []*snapshot.Snapshot, o Options) ([]*snapshot.Snapshot, error) {
	ways := 0
	for _, set := range []bool{len(o.Snapshots) > 0, o.Name != "", o.All} {
		if set {
			ways++
		}
	}
	switch {
	case ways == 0:
		return nil, ErrNoSelection
	case ways > 1:
		return nil, ErrAmbiguousSelection
	case o.Latest < 0:
		return nil, fmt.Errorf("latest must be 0 or more, not %d", o.Latest)
	case o.Latest > 0 && o.Name == "":
		return nil, errors.New("latest needs a name")
	}
	if o.All {
		return list, nil
	}
	if o.Name != "" {
		sel := snapshot.Select(list, snapshot.Filter{Name: o.Name})
		if len(sel) == 0 {
			return nil, fmt.Errorf("no snapshot named %q: %w", o.Name, snapshot.ErrNotFound)
		}
		if o.Latest > 0 && len(sel) > o.Latest {
			sel = sel[len(sel)-o.Latest:]
		}
		return sel, nil
	}
	picked := map[*snapshot.Snapshot]bool{}
	for _, ref := range o.Snapshots {
		s, err := snapshot.Find(list, ref)
		if err != nil {
			return nil, err
		}
		picked[s] = true
	}
	var sel []*snapshot.Snapshot
	for _, s := range list { // list order: oldest first
		if picked[s] {
			sel = append(sel, s)
		}
	}
	return sel, nil
}
