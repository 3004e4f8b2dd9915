package cli

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/location"
	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/repair"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/internal/doctest"
	"github.com/savepoint-ci/savepoint/internal/testenv"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// TestRepairCommands runs the repair of a damaged repository through the
// command line, on a local directory and on a real MinIO, in both format
// versions: every index segment deleted, then one pack.
func TestRepairCommands(t *testing.T) {
	for _, where := range []string{"local", "minio"} {
		for _, v := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/version %d", where, v), func(t *testing.T) {
				var r *cliRun
				if where == "local" {
					r = cliAt(t, filepath.Join(t.TempDir(), "repo"))
				} else {
					r = minioCLI(t)
				}
				repairScenario(t, r, v)
			})
		}
	}
}

// minioCLI is a harness on a repository in a new bucket of the test MinIO.
func minioCLI(t *testing.T) *cliRun {
	m := testenv.RequireMinIO(t)
	b := make([]byte, 6)
	rand.Read(b)
	r := cliAt(t, "s3://repair-"+hex.EncodeToString(b)+"/repo")
	for k, v := range map[string]string{
		"SAVEPOINT_S3_ENDPOINT": m.Endpoint, "AWS_ACCESS_KEY_ID": m.AccessKey, "AWS_SECRET_ACCESS_KEY": m.SecretKey,
		"SAVEPOINT_S3_INSECURE": "true", "SAVEPOINT_S3_PATH_STYLE": "true", "SAVEPOINT_S3_REGION": "us-east-1",
	} {
		r = r.with(k, v)
	}
	return r
}

// backendOf opens the harness's repository storage directly.
func backendOf(t *testing.T, r *cliRun) storage.Backend {
	t.Helper()
	be, err := location.Open(t.Context(), r.repo, location.Options{Getenv: func(k string) string { return r.env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { be.Close() })
	return be
}

// storedObjects is every object's name with the SHA-256 of its bytes.
func storedObjects(t *testing.T, be storage.Backend) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, k := range storage.Kinds {
		var names []string
		be.List(t.Context(), k, func(fi storage.Info) error { names = append(names, fi.Name); return nil })
		for _, n := range names {
			h := storage.Handle{Kind: k, Name: n}
			data, err := storage.LoadAll(t.Context(), be, h)
			if err != nil {
				t.Fatal(err)
			}
			out[h.String()] = fmt.Sprintf("%x", sha256.Sum256(data))
		}
	}
	return out
}

func packNames(t *testing.T, be storage.Backend) []string {
	var names []string
	be.List(t.Context(), storage.KindData, func(fi storage.Info) error { names = append(names, fi.Name); return nil })
	return names
}

func repairScenario(t *testing.T, r *cliRun, version int) {
	ctx := t.Context()
	be := backendOf(t, r)
	if _, err := repository.Init(ctx, be, repository.InitOptions{Password: "pw", Version: version}); err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	t.Chdir(work)
	for i := range 30 {
		testrepo.WriteFile(t, work, fmt.Sprintf("src/text/f%02d.txt", i), []byte(strings.Repeat(fmt.Sprintf("text file %d\n", i), 30+i)))
	}
	testrepo.WriteFile(t, work, "src/data.bin", testrepo.Random(700<<10))
	r.ok("save", "--name", "build", "--tag", "ci", "src")
	before := packNames(t, be)
	testrepo.WriteFile(t, work, "src/late/lost.bin", testrepo.Random(300<<10))
	r.ok("save", "--name", "build", "--tag", "ci", "src")

	// Every index segment deleted: nothing restores until the repair.
	var segs []string
	be.List(ctx, storage.KindIndex, func(fi storage.Info) error { segs = append(segs, fi.Name); return nil })
	for _, s := range segs {
		be.Remove(ctx, storage.Handle{Kind: storage.KindIndex, Name: s})
	}
	if code, _, _ := r.run("restore", "latest", "--target", t.TempDir()); code != ExitError {
		t.Fatalf("restore without an index: exit %d", code)
	}
	stored := storedObjects(t, be)
	var ij repair.IndexResult
	if err := json.Unmarshal([]byte(r.ok("--json", "repair", "index", "--dry-run")), &ij); err != nil || !ij.DryRun || ij.PacksAdded != ij.Packs || ij.SegmentsWritten != 0 {
		t.Fatalf("repair index --dry-run: %+v %v", ij, err)
	}
	if !maps.Equal(stored, storedObjects(t, be)) {
		t.Fatal("repair index --dry-run changed the repository")
	}
	out := r.ok("--json", "repair", "index")
	if err := json.Unmarshal([]byte(out), &ij); err != nil || ij.PacksAdded != ij.Packs || ij.SegmentsWritten != 1 {
		t.Fatalf("repair index: %+v %v", ij, err)
	}
	repairJSONDoc(t, "repair index", out)
	target := t.TempDir()
	r.ok("restore", "latest", "--target", target)
	if d := testrepo.Equal(t, filepath.Join(work, "src"), filepath.Join(target, "src")); d != "" {
		t.Fatalf("restore after the index repair: %s", d)
	}
	r.ok("verify", "--read-data")

	// The lease: both repairs refuse while a prune holds it.
	repo, err := repository.Open(ctx, be, repository.OpenOptions{Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	held, err := prune.TakeLease(ctx, repo, prune.Options{Host: "prune-host"})
	if err != nil {
		t.Fatal(err)
	}
	r.fails(ExitLocked, "--break-lease", "repair", "index")
	r.fails(ExitLocked, "prune-host", "repair", "snapshots")
	held.Release()

	// The pack of lost.bin deleted: the index drops its entries, the
	// snapshot repair drops the file and says so, the rest restores.
	for _, p := range packNames(t, be) {
		if !slices.Contains(before, p) {
			be.Remove(ctx, storage.Handle{Kind: storage.KindData, Name: p})
		}
	}
	if out := r.ok("repair", "index"); !strings.Contains(out, "1 indexed pack(s) are missing") {
		t.Fatalf("repair index after a pack was deleted: %q", out)
	}
	stored = storedObjects(t, be)
	if out := r.ok("repair", "snapshots", "--dry-run"); !strings.Contains(out, "dropped src/late/lost.bin") || !strings.Contains(out, "dry run") {
		t.Fatalf("repair snapshots --dry-run: %q", out)
	}
	if !maps.Equal(stored, storedObjects(t, be)) {
		t.Fatal("repair snapshots --dry-run changed the repository")
	}
	var sj repair.SnapshotsResult
	out = r.ok("--json", "repair", "snapshots")
	if err := json.Unmarshal([]byte(out), &sj); err != nil || len(sj.Repairs) != 1 ||
		!slices.Equal(sj.Repairs[0].Dropped, []string{"src/late/lost.bin"}) || sj.Removed != 1 {
		t.Fatalf("repair snapshots: %+v %v", sj, err)
	}
	repairJSONDoc(t, "repair snapshots", out)
	list := r.snapshots()
	if len(list) != 2 || list[1].ID != sj.Repairs[0].New || list[1].Name != "build" || !slices.Equal(list[1].Tags, []string{"ci"}) ||
		list[1].Repaired == nil || list[1].Repaired.Original.String() != sj.Repairs[0].Snapshot {
		t.Fatalf("snapshots after the repair: %+v", list)
	}
	if out := r.ok("show", "latest"); !strings.Contains(out, "repaired") {
		t.Fatalf("show of the repaired snapshot: %q", out)
	}
	target = t.TempDir()
	r.ok("restore", "latest", "--target", target)
	os.Remove(filepath.Join(work, "src/late/lost.bin"))
	if d := testrepo.Equal(t, filepath.Join(work, "src"), filepath.Join(target, "src")); d != "" {
		t.Fatalf("restore of the repaired snapshot: %s", d)
	}
	r.ok("verify", "--read-data")
}

// TestRepairIndexOfVersion1Fixture: the repository an older savepoint
// wrote (format version 1) loses its index and is repaired by this one,
// in version 1: it restores again and older releases can still read it.
func TestRepairIndexOfVersion1Fixture(t *testing.T) {
	r := &cliRun{t: t, repo: filepath.Join(t.TempDir(), "repo"), env: map[string]string{"SAVEPOINT_PASSWORD": v1Password}}
	src, err := filepath.Abs("testdata/v1/src")
	if err != nil {
		t.Fatal(err)
	}
	testrepo.CopyTree(t, "testdata/v1/repo", r.repo)
	os.RemoveAll(filepath.Join(r.repo, "index"))
	os.Mkdir(filepath.Join(r.repo, "index"), 0o700)
	r.ok("repair", "index")
	target := t.TempDir()
	r.ok("restore", "fixture:latest", "--target", target)
	sameContent(t, src, filepath.Join(target, "src"))
	r.ok("verify", "--read-data")
	var segs []string
	filepath.WalkDir(filepath.Join(r.repo, "index"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			segs = append(segs, p)
		}
		return nil
	})
	if len(segs) != 1 || configVersion(t, r.repo) != 1 {
		t.Fatalf("index segments %v, config version %d: want one segment, version 1 kept", segs, configVersion(t, r.repo))
	}
}

// The repository's top directory and docs/json.md's examples, read before
// any test changes its working directory.
var (
	repoRoot         = doctest.Root()
	jsonDocBlocks, _ = doctest.Blocks("docs/json.md")
)

// docRepairSteps reads the command lines of docs/cli.md's example of a
// repair after packs were lost (an indented block in the command list).
func docRepairSteps(t *testing.T) [][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "docs/cli.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "A typical repair after packs were lost:")
	if !ok {
		t.Fatal("docs/cli.md has no repair example")
	}
	_, rest, _ = strings.Cut(rest, "```\n")
	block, _, _ := strings.Cut(rest, "```")
	var steps [][]string
	for _, line := range strings.Split(block, "\n") {
		line, _, _ = strings.Cut(line, "#")
		if f := strings.Fields(line); len(f) > 1 && f[0] == "savepoint" {
			steps = append(steps, f[1:])
		}
	}
	if len(steps) < 4 {
		t.Fatalf("docs/cli.md's repair example has %d commands", len(steps))
	}
	return steps
}

// TestRepairDocExample runs docs/cli.md's repair example on a repository
// that lost a pack: the first verify names the file and fails, every
// repair step succeeds, the last verify is clean, and the snapshot
// restores without the lost file.
func TestRepairDocExample(t *testing.T) {
	r := newCLI(t)
	work := workdir(t)
	r.ok("save", "src")
	be := backendOf(t, r)
	before := packNames(t, be)
	testrepo.WriteFile(t, work, "src/lost.bin", testrepo.Random(300<<10))
	r.ok("save", "src")
	for _, p := range packNames(t, be) {
		if !slices.Contains(before, p) {
			be.Remove(t.Context(), storage.Handle{Kind: storage.KindData, Name: p})
		}
	}
	steps := docRepairSteps(t)
	for i, args := range steps {
		code, out, errOut := r.run(args...)
		switch {
		case i == 0:
			if code != ExitError || !strings.Contains(out+errOut, "src/lost.bin") {
				t.Fatalf("savepoint %s before the repair: exit %d, %q %q", strings.Join(args, " "), code, out, errOut)
			}
		case code != 0:
			t.Fatalf("savepoint %s: exit %d: %s", strings.Join(args, " "), code, errOut)
		case slices.Equal(args, []string{"repair", "snapshots", "--dry-run"}) && !strings.Contains(out, "dropped src/lost.bin"):
			t.Fatalf("savepoint %s: %q", strings.Join(args, " "), out)
		}
	}
	target := t.TempDir()
	r.ok("restore", "latest", "--target", target)
	os.Remove(filepath.Join(work, "src/lost.bin"))
	if d := testrepo.Equal(t, filepath.Join(work, "src"), filepath.Join(target, "src")); d != "" {
		t.Fatal(d)
	}
}

// repairJSONDoc checks that docs/json.md's example under heading has the
// keys the command printed.
func repairJSONDoc(t *testing.T, heading, printed string) {
	t.Helper()
	var doc, got map[string]any
	for _, b := range jsonDocBlocks {
		if b.Heading == heading && b.Lang == "json" {
			if err := json.Unmarshal([]byte(b.Text), &doc); err != nil {
				t.Fatalf("docs/json.md %s example: %v", heading, err)
			}
		}
	}
	if err := json.Unmarshal([]byte(printed), &got); err != nil || doc == nil {
		t.Fatalf("docs/json.md %s: %v (example found: %v)", heading, err, doc != nil)
	}
	if k1, k2 := jsonKeys(doc), jsonKeys(got); k1 != k2 {
		t.Fatalf("docs/json.md shows %s, %s prints %s", k1, heading, k2)
	}
	if reps, ok := doc["repairs"].([]any); ok {
		if k1, k2 := jsonKeys(reps[0].(map[string]any)), jsonKeys(got["repairs"].([]any)[0].(map[string]any)); k1 != k2 {
			t.Fatalf("docs/json.md shows repairs of %s, %s prints %s", k1, heading, k2)
		}
	}
}
