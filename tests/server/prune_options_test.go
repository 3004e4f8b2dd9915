package server

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// TestServerSidePruneZeros: prune's options reach the server as given,
// zeros included. --max-unused 0% repacks a pack with any unused bytes
// (the default 10% leaves one 5% unused alone), and --clock-skew 0s
// carries out a deletion intent that a writer's session marker written
// within the default minute of skew after it holds back.
func TestServerSidePruneZeros(t *testing.T) {
	srv := startWithPassword(t, "app")
	admin := srv.Token("app", "admin")
	initRepo(t, srv, "app", admin)
	dir := workDir(t)
	job := newClient(t, srv, "app", srv.Token("app", "append"))
	// 20 files of one blob each share one data pack; the second snapshot
	// lacks one of them, so once the first is forgotten 1/20 is unused.
	for i := range 20 {
		testrepo.WriteFile(t, dir, fmt.Sprintf("src/%02d.bin", i), testrepo.Random(8<<10))
	}
	job.ok("save", "--name", "build", "src")
	os.Remove(filepath.Join(dir, "src", "00.bin"))
	job.ok("save", "--name", "build", "src")
	ops := newClient(t, srv, "app", admin)
	ops.env = []string{"SAVEPOINT_PASSWORD="} // only the server can run them
	ops.ok("forget", "--keep-last", "1")
	repoDir := filepath.Join(srv.Storage, "app")
	testrepo.Age(t, repoDir, time.Hour) // every pack older than --grace 1s

	pruneJSON := func(args ...string) prune.Result {
		t.Helper()
		var res prune.Result
		out := ops.ok(append([]string{"--json", "prune", "--grace", "1s"}, args...)...)
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("prune %v: %v\n%s", args, err, out)
		}
		return res
	}
	repacks := func(res prune.Result) (n int, reasons []string) {
		for _, a := range res.Actions {
			if a.Action == "repack" {
				n++
				reasons = append(reasons, a.Reason)
			}
		}
		return n, reasons
	}
	if n, reasons := repacks(pruneJSON("--dry-run")); n != 0 {
		t.Fatalf("with the default --max-unused the server repacks %d pack(s): %v", n, reasons)
	}
	if n, reasons := repacks(pruneJSON("--dry-run", "--max-unused", "0%")); n != 1 || !strings.Contains(reasons[0], "above 0%") {
		t.Fatalf("--max-unused 0%% on the server: %d repack(s) %v, want 1 above 0%%", n, reasons)
	}

	// A writer's marker 30s after the intent the next prune writes: within
	// the default skew it counts as started before it.
	marker := filepath.Join(repoDir, "sessions", strings.Repeat("5e", 16))
	if err := os.WriteFile(marker, []byte("a session marker"), 0o600); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(30 * time.Second)
	os.Chtimes(marker, future, future)
	res := pruneJSON()
	if res.PacksScheduled == 0 || res.Immediate {
		t.Fatalf("default clock skew: %d pack(s) scheduled, immediate %v; want the intent held back by the marker", res.PacksScheduled, res.Immediate)
	}
	if again := pruneJSON(); again.IntentsDeferred != 1 || again.IntentsExecuted != 0 {
		t.Fatalf("default clock skew, second run: %d intent(s) deferred, %d executed; want 1 and 0", again.IntentsDeferred, again.IntentsExecuted)
	}
	res = pruneJSON("--clock-skew", "0s")
	if res.IntentsExecuted != 1 || res.PacksDeleted == 0 {
		t.Fatalf("--clock-skew 0s on the server: %d intent(s) executed, %d pack(s) deleted; want the intent carried out", res.IntentsExecuted, res.PacksDeleted)
	}
	os.Remove(marker)
	newClient(t, srv, "app", srv.Token("app", "read")).ok("verify", "--read-data")
}
