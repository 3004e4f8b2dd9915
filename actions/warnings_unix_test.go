//go:build unix

package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestWarningsAnnotated: the CLI's warnings become warning annotations
// (a few: GitHub shows a handful per step), the rest stay in the log.
func TestWarningsAnnotated(t *testing.T) {
	ws := workspace(t)
	for i := 0; i < maxWarnings+2; i++ {
		if err := syscall.Mkfifo(filepath.Join(ws, "data", fmt.Sprintf("pipe%02d", i)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	f := newFakeEnv(t).inputs(repoInputs(t, map[string]string{"paths": "data"}))
	f.mustRun("save", false)
	log := f.log.String()
	if n := strings.Count(log, "::warning title=savepoint save::data/pipe"); n != maxWarnings {
		t.Errorf("%d warning annotations, want %d:\n%s", n, maxWarnings, log)
	}
	if !strings.Contains(log, "\nwarning: data/pipe11: special file") {
		t.Errorf("warnings past the limit are not in the log:\n%s", log)
	}
}
