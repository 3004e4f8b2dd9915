package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// TestMaintenance: forget, prune and verify through the action, the way
// the scheduled workflow of docs/github.md runs them.
func TestMaintenance(t *testing.T) {
	ws := workspace(t)
	base := repoInputs(t, nil)
	steps := []map[string]string{
		{"command": "forget", "keep_last": "1", "name": "app"},
		{"command": "prune", "grace": "1s", "max_unused": "0%"},
		{"command": "verify", "read_data_subset": "100%"},
	}
	for i := 0; i < 3; i++ {
		testrepo.WriteFile(t, ws, "data/a.txt", []byte(strings.Repeat("v", i+1)))
		f := newFakeEnv(t).inputs(base).inputs(map[string]string{"paths": "data", "name": "app"})
		f.mustRun(fmt.Sprintf("save %d", i), false)
	}
	for _, s := range steps {
		f := newFakeEnv(t).inputs(base).inputs(s)
		f.mustRun(s["command"], false)
		if !strings.Contains(f.summary(), "### savepoint "+s["command"]+": done") {
			t.Errorf("%s summary:\n%s", s["command"], f.summary())
		}
		f.assertNoSecret(testPassword)
	}
	l := newFakeEnv(t).inputs(base).inputs(map[string]string{"command": "snapshots"})
	if code := l.run(false); code != 0 || !strings.Contains(l.summary(), "1 snapshot(s)") {
		t.Errorf("after forget keep_last 1: exit %d\n%s", code, l.summary())
	}
}
