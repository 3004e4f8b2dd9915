//go:build unix

package main

import (
	"strings"
	"testing"
)

func TestToolsForLocation(t *testing.T) {
	for _, c := range []struct{ where, list, want string }{
		{"local", "", "savepoint,restic,kopia,tar+zstd"},
		{"minio", "", "savepoint,restic,kopia"},
		{"server", "", "savepoint,savepoint-server"},
		{"server", "savepoint-server", "savepoint-server"},
	} {
		where, err := placeByName(c.where)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(toolsFor(where, c.list), ","); got != c.want {
			t.Errorf("%s -tools %q: got %s, want %s", c.where, c.list, got, c.want)
		}
	}
	if _, err := placeByName("moon"); err == nil || !strings.Contains(err.Error(), "have local, minio, server") {
		t.Errorf("unknown location: %v", err)
	}
}
