package snapcopy_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/snapcopy"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/mem"
	"github.com/savepoint-ci/savepoint/core/verify"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

var ctx = context.Background()

func saveDir(t *testing.T, be storage.Backend, name string, stream []byte) *snapshot.Snapshot {
	t.Helper()
	repo := testrepo.Reopen(t, be)
	o := save.Options{Paths: []string{"src"}, Name: name, Tags: []string{"t1"}, Checkpoint: true,
		Provenance: map[string]string{"commit": "abc123"}}
	parent, err := save.FindParent(ctx, repo, name, o.Paths)
	if err != nil {
		t.Fatal(err)
	}
	o.Parent = parent
	if stream != nil {
		res, err := save.SaveStream(ctx, repo, bytes.NewReader(stream))
		if err != nil {
			t.Fatal(err)
		}
		o.Sources = []snapshot.Source{{Kind: "command", Name: "db", Command: "pg_dump", Content: res.Content, Size: res.Size}}
	}
	s, err := save.Run(ctx, repo, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func copyRun(t *testing.T, a, b storage.Backend, o snapcopy.Options) snapcopy.Stats {
	t.Helper()
	st, err := snapcopy.Run(ctx, testrepo.Reopen(t, a), testrepo.Reopen(t, b), o)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func checkCopy(t *testing.T, be storage.Backend, src *snapshot.Snapshot, dir string, stream []byte) {
	t.Helper()
	repo := testrepo.Reopen(t, be)
	res, err := verify.Run(ctx, repo, verify.Options{ReadData: true})
	if err != nil || !res.OK() {
		t.Fatalf("verify: %v %+v", err, res)
	}
	list, _ := snapshot.List(ctx, repo)
	var d *snapshot.Snapshot
	for _, s := range list {
		if s.Original != nil && *s.Original == src.ID {
			d = s
		}
	}
	if d == nil {
		t.Fatalf("no copy of %s", src.ID.Short())
	}
	if d.Name != src.Name || !d.Time.Equal(src.Time) || d.Provenance["commit"] != "abc123" || !d.Checkpoint || len(d.Tags) != 1 {
		t.Fatalf("copy lost metadata: %+v", d)
	}
	target := t.TempDir()
	if _, err := restore.Run(ctx, repo, d, restore.Options{Target: target}); err != nil {
		t.Fatal(err)
	}
	if diff := testrepo.Equal(t, dir, filepath.Join(target, "src")); diff != "" {
		t.Fatal(diff)
	}
	if stream != nil {
		var got []byte
		for _, id := range d.Sources[0].Content {
			b, err := repo.LoadBlob(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, b...)
		}
		if !bytes.Equal(got, stream) {
			t.Fatal("the copied command output differs")
		}
	}
}

// Two repositories with their own keys: the copy restores byte-identical
// and verifies; a second run skips; a new snapshot with one changed file
// reads and stores little more than that file.
func TestCopyBetweenKeys(t *testing.T) {
	_, a := testrepo.New(t)
	b := mem.New()
	if _, err := testrepo.Init(t, b); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	for i := range 20 {
		testrepo.WriteFile(t, dir, filepath.Join("src", "d", string(rune('a'+i))+".bin"), testrepo.Random(64<<10))
	}
	testrepo.WriteFile(t, dir, "src/big.bin", testrepo.Random(2<<20))
	stream := testrepo.Random(300 << 10)
	s1 := saveDir(t, a, "prod", stream)

	st := copyRun(t, a, b, snapcopy.Options{Name: "prod"})
	if st.Copied != 1 || st.BlobsNew == 0 {
		t.Fatalf("first copy: %+v", st)
	}
	first := st.BytesStored
	checkCopy(t, b, s1, filepath.Join(dir, "src"), stream)

	st = copyRun(t, a, b, snapcopy.Options{All: true})
	if st.Skipped != 1 || st.Copied != 0 || st.BytesRead != 0 || st.DestinationRequests.Put != 0 {
		t.Fatalf("second copy: %+v", st)
	}

	// A new snapshot, one small file changed: the copy reads that file's
	// chunks only, and stores about as much.
	testrepo.WriteFile(t, dir, "src/d/a.bin", testrepo.Random(64<<10))
	s2 := saveDir(t, a, "prod", stream)
	st = copyRun(t, a, b, snapcopy.Options{Snapshots: []string{"prod:latest"}})
	if st.Copied != 1 || st.BytesRead > 200<<10 || st.BytesStored > first/10 {
		t.Fatalf("incremental copy: %+v (first stored %d)", st, first)
	}
	checkCopy(t, b, s2, filepath.Join(dir, "src"), stream)
	list, _ := snapshot.List(ctx, testrepo.Reopen(t, b))
	if list[1].Parent == nil || *list[1].Parent != list[0].ID {
		t.Fatalf("the copy's parent is not the copy of the source's parent: %v", list[1].Parent)
	}

	// And back again: B's copies are A's originals, nothing moves.
	st = copyRun(t, b, a, snapcopy.Options{All: true})
	if st.Skipped != 2 || st.Copied != 0 {
		t.Fatalf("copy back: %+v", st)
	}
}

func TestSelectionErrors(t *testing.T) {
	_, a := testrepo.New(t)
	_, b := testrepo.New(t)
	for _, o := range []snapcopy.Options{{}, {All: true, Name: "x"}, {Name: "none"}, {Snapshots: []string{"abcd"}}, {Latest: 2}} {
		if _, err := snapcopy.Run(ctx, testrepo.Reopen(t, a), testrepo.Reopen(t, b), o); err == nil {
			t.Fatalf("%+v: no error", o)
		}
	}
	_ = repository.ID{}
}
