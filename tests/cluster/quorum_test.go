package cluster

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// TestQuorumLost: with two of the four nodes killed during a save the
// cluster loses its write quorum; the save fails with one line and commits
// nothing. Reads need two nodes, so a restore still works then and fails
// with one line once a third node is gone. When the nodes are back the
// repository holds exactly the snapshots committed before, `verify
// --read-data` finds nothing, and saving works again.
func TestQuorumLost(t *testing.T) {
	c := requireCluster(t)
	name, be := c.repo(t)
	src := t.TempDir()
	testrepo.WriteFile(t, src, "small/a.bin", testrepo.Random(300<<10))
	testrepo.WriteFile(t, src, "small/b.txt", []byte("before the outage"))
	p := newCountingProxy(t, c.endpoint(1))
	cl := c.client(t, p.addr(), name)
	// Without quorum MinIO holds a DELETE for minutes; three unanswered
	// attempts of 3s fail it (the default wait is 60s).
	cl.env = append(cl.env, "SAVEPOINT_S3_TIMEOUT=3s")
	first := savedID(t, cl.mustRun(src, "save", "--json", "--name", "small", "small"))

	bigTree(t, src, 48)
	started := time.Now()
	save := cl.start(src, "save", "--json", "--name", "big", "data")
	waitUntil(t, save, "2 packs were stored", func() bool { return packs(t, be) >= 2 })
	down := c.stopNodes(t, 3, 4)
	save.endedAfter(t, down, "nodes 3 and 4 were down")
	if code := save.wait(); code != 1 {
		t.Fatalf("save without write quorum: exit %d, want 1\n%s%s", code, save.stdout.String(), save.stderr.String())
	}
	if msg := oneLine(t, save); !strings.Contains(msg, "storage unavailable") {
		t.Fatalf("save without write quorum: %s", msg)
	}
	att, failed := p.counts()
	t.Logf("save without write quorum failed after %s (%s after the first kill), %d requests, %d failed attempts: %s",
		save.ended.Sub(started).Round(time.Millisecond), save.ended.Sub(down).Round(time.Millisecond), att, failed, oneLine(t, save))

	target := t.TempDir()
	cl.mustRun(src, "restore", "--target", target, first)
	if d := testrepo.Equal(t, filepath.Join(src, "small"), filepath.Join(target, "small")); d != "" {
		t.Fatalf("restored with two nodes down: %s", d)
	}
	c.stopNodes(t, 2)
	restore := cl.start(src, "restore", "--target", t.TempDir(), first)
	if code := restore.wait(); code != 1 {
		t.Fatalf("restore without read quorum: exit %d, want 1\n%s%s", code, restore.stdout.String(), restore.stderr.String())
	}
	msg := oneLine(t, restore)
	if !strings.Contains(msg, "storage unavailable") {
		t.Fatalf("restore without read quorum: %s", msg)
	}
	t.Logf("restore without read quorum: %s", msg)

	up := time.Now()
	c.startNodes(t, 2, 3, 4)
	t.Logf("nodes 3 and 4 down for %s; nodes back in %s", up.Sub(down).Round(time.Millisecond), time.Since(up).Round(time.Millisecond))

	var snaps []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(cl.mustRun(src, "snapshots", "--json")), &snaps); err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 1 || snaps[0].ID != first {
		t.Fatalf("after the failed save the repository lists %v, want only %s", snaps, first)
	}
	if out := cl.mustRun(src, "verify", "--read-data"); !strings.Contains(out, "no problems found") {
		t.Fatalf("verify --read-data after the nodes returned:\n%s", out)
	}
	again := savedID(t, cl.mustRun(src, "save", "--json", "--name", "big", "data"))
	target = t.TempDir()
	cl.mustRun(src, "restore", "--target", target, again)
	if d := testrepo.Equal(t, filepath.Join(src, "data"), filepath.Join(target, "data")); d != "" {
		t.Fatalf("saved after the outage, restored: %s", d)
	}
}
