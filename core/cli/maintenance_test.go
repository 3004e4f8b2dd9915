package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/local"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

func TestForgetPruneVerifyCommands(t *testing.T) {
	dir := t.TempDir()
	repo := dir + "/repo"
	be, _ := local.New(repo)
	if _, err := testrepo.Init(t, be); err != nil {
		t.Fatal(err)
	}
	r := cliAt(t, repo).with("SAVEPOINT_PASSWORD", "test-password")
	src := dir + "/src"
	for i := 0; i < 3; i++ {
		testrepo.WriteFile(t, src, "f.bin", testrepo.Random(200<<10))
		if code, _, e := r.run("save", "--name", "n", src); code != 0 {
			t.Fatal(e)
		}
	}
	if code, _, e := r.run("forget"); code != 2 || !strings.Contains(e, "no keep rule") {
		t.Fatalf("empty policy: %d %q", code, e)
	}
	code, out, e := r.run("--json", "forget", "--keep-last", "1", "--dry-run")
	var fj struct {
		DryRun    bool `json:"dry_run"`
		Snapshots []struct {
			Keep    bool     `json:"keep"`
			Reasons []string `json:"reasons"`
		} `json:"snapshots"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &fj) != nil || !fj.DryRun || len(fj.Snapshots) != 3 || fj.Snapshots[1].Keep {
		t.Fatalf("forget --dry-run --json: %d %s %s", code, out, e)
	}
	if code, out, _ := r.run("forget", "--keep-last", "1"); code != 0 || !strings.Contains(out, "removed 2 of 3") {
		t.Fatalf("forget: %s", out)
	}
	code, out, e = r.run("--json", "prune", "--dry-run")
	if code != 0 || !strings.Contains(out, `"dry_run": true`) {
		t.Fatalf("prune --dry-run: %d %s %s", code, out, e)
	}
	if code, out, e := r.run("prune", "--grace", "0s"); code != 2 {
		t.Fatalf("prune --grace 0s accepted: %s %s", out, e)
	}
	if code, out, e := r.run("verify", "--read-data-subset", "50%"); code != 0 || !strings.Contains(out, "no problems") {
		t.Fatalf("verify: %d %s %s", code, out, e)
	}
	// Damage the snapshot's data: verify fails, names the snapshot, and
	// save no longer uses it as a parent.
	var packs []string
	be.List(t.Context(), storage.KindData, func(fi storage.Info) error { packs = append(packs, fi.Name); return nil })
	for _, p := range packs {
		be.Remove(t.Context(), storage.Handle{Kind: storage.KindData, Name: p})
	}
	code, out, e = r.run("verify")
	if code != 1 || !strings.Contains(out, "problem: snapshot ") || !strings.Contains(e, "verify found") {
		t.Fatalf("verify of a damaged repository: %d %s %s", code, out, e)
	}
	if code, out, e := r.run("save", "--name", "n", src); code != 0 || strings.Contains(out, "parent") {
		t.Fatalf("save after a failed verify: %d %s %s", code, out, e)
	}
}
