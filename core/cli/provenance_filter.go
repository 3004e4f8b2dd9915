package cli

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/provenance"
	"github.com/savepoint-ci/savepoint/core/snapshot"
)

// provenanceFilter turns --commit, --branch, --env and --provenance
// KEY=VALUE into a snapshot.Filter.Provenance map (nil when none given).
func provenanceFilter(c *cli.Context) (map[string]string, error) {
	m := map[string]string{}
	for _, kv := range c.StringSlice("provenance") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, usagef("--provenance %q: expected KEY=VALUE (keys: %s)", kv, strings.Join(provenance.Keys, ", "))
		}
		m[k] = v
	}
	for flag, key := range map[string]string{"commit": provenance.Commit, "branch": provenance.Branch, "env": provenance.Environment} {
		if v := c.String(flag); v != "" {
			m[key] = v
		}
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

func onlyCheckpoints(list []*snapshot.Snapshot) []*snapshot.Snapshot {
	var out []*snapshot.Snapshot
	for _, s := range list {
		if s.Checkpoint {
			out = append(out, s)
		}
	}
	return out
}
