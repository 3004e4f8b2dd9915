package prune_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/tree"
	"github.com/savepoint-ci/savepoint/internal/benchdata"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// Repack of compression groups (format version 2): a group whose blobs are
// all live moves as stored; the live blobs of a partly used group are
// grouped again, the dead ones dropped.
func TestRepackGroups(t *testing.T) {
	be, clk := newRepo(t)
	repo := testrepo.Reopen(t, be)
	// The test repository's packs are 1 MiB, so groups close at 256 KiB:
	// eight 32 KiB blobs fill group A, the next eight go to group B.
	var a, b []repository.ID
	plain := map[repository.ID][]byte{}
	for i := 0; i < 16; i++ {
		data := benchdata.Text(uint64(i), 32<<10)
		id := repo.Hash(data)
		if _, err := repo.SaveBlob(ctx, repository.DataBlob, id, data); err != nil {
			t.Fatal(err)
		}
		plain[id] = data
		if i < 8 {
			a = append(a, id)
		} else {
			b = append(b, id)
		}
	}
	snap := func(name string, ids []repository.ID) repository.ID {
		var tr tree.Tree
		for i, id := range ids {
			tr.Nodes = append(tr.Nodes, tree.Node{Name: fmt.Sprintf("f%02d", i), Type: tree.File, Mode: 0o644,
				Size: uint64(len(plain[id])), Content: []repository.ID{id}})
		}
		root, err := tree.Save(ctx, repo, &tr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := repo.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		s, err := snapshot.Save(ctx, repo, &snapshot.Snapshot{Time: clk.Now(), Name: name, Tree: &root, Paths: []string{"."}})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	keep := append(append([]repository.ID{}, a...), b[:4]...)
	snap("keep", keep)
	gone := snap("gone", b[4:])
	repo.Close()

	before := dataPacks(t, be)
	if len(before) != 1 || len(groupsOf(before[0])) != 2 {
		t.Fatalf("setup: want one data pack with two groups, got %d packs", len(before))
	}
	var groupA []repository.PackEntry
	for _, g := range groupsOf(before[0]) {
		if g[0].ID == a[0] {
			groupA = g
		}
	}
	if len(groupA) != len(a) {
		t.Fatalf("setup: group A has %d blobs, want %d", len(groupA), len(a))
	}
	storedA := groupBytes(t, be, groupA[0])

	be.Remove(ctx, storage.Handle{Kind: storage.KindSnapshot, Name: gone.String()})
	clk.Advance(2 * time.Hour)
	res, err := prune.Run(ctx, testrepo.Reopen(t, be), prune.Options{Now: clk.Now, Grace: time.Hour, ClockSkew: new(time.Duration(0))})
	if err != nil {
		t.Fatal(err)
	}
	if res.BlobsCopied != len(keep) || !res.Immediate {
		t.Fatalf("want the %d live blobs copied at once: %+v", len(keep), res)
	}
	after := dataPacks(t, be)
	if len(after) != 1 {
		t.Fatalf("%d data packs after the repack", len(after))
	}
	groups := groupsOf(after[0])
	if len(groups) != 2 {
		t.Fatalf("want group A copied and B's live blobs regrouped: %d groups", len(groups))
	}
	// Group A moved as stored (sealing again would draw a new nonce), with
	// the same members in the same places.
	copied := groups[0]
	if copied[0].ID != a[0] {
		copied = groups[1]
	}
	if len(copied) != len(groupA) || !bytes.Equal(groupBytes(t, be, copied[0]), storedA) {
		t.Fatalf("group A was not copied as stored: %+v vs %+v", copied[0], groupA[0])
	}
	for i := range copied {
		if copied[i].ID != groupA[i].ID || copied[i].GroupOffset != groupA[i].GroupOffset {
			t.Fatalf("group A member %d differs after the copy", i)
		}
	}
	regrouped := groups[0]
	if regrouped[0].ID == a[0] {
		regrouped = groups[1]
	}
	if n := len(regrouped); n != 4 || regrouped[0].GroupRaw != 4*32<<10 {
		t.Fatalf("group B regrouped with %d members of %d bytes, want the 4 live ones", n, regrouped[0].GroupRaw)
	}
	mustVerify(t, be, true)
	r2 := testrepo.Reopen(t, be)
	for _, id := range keep {
		got, err := r2.LoadBlob(ctx, id)
		if err != nil || !bytes.Equal(got, plain[id]) {
			t.Fatalf("blob %s after the repack: %v", id.Short(), err)
		}
	}
	for _, id := range b[4:] {
		if _, err := r2.LoadBlob(ctx, id); err == nil {
			t.Fatalf("dead blob %s still indexed", id.Short())
		}
	}
}

// groupBytes reads the stored bytes of e's group.
func groupBytes(t *testing.T, be storage.Backend, e repository.PackEntry) []byte {
	t.Helper()
	var pack string
	be.List(ctx, storage.KindData, func(fi storage.Info) error { pack = fi.Name; return nil })
	data, err := storage.LoadAll(ctx, be, storage.Handle{Kind: storage.KindData, Name: pack})
	if err != nil {
		t.Fatal(err)
	}
	return data[e.Offset : e.Offset+e.Length]
}

// dataPacks returns the header entries of every data pack.
func dataPacks(t *testing.T, be storage.Backend) [][]repository.PackEntry {
	t.Helper()
	repo := testrepo.Reopen(t, be)
	var out [][]repository.PackEntry
	be.List(ctx, storage.KindData, func(fi storage.Info) error {
		id, _ := repository.ParseID(fi.Name)
		es, err := repo.ReadPackHeader(ctx, storage.KindData, id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, es)
		return nil
	})
	return out
}

// groupsOf splits a pack's entries into its groups, in pack order.
func groupsOf(entries []repository.PackEntry) [][]repository.PackEntry {
	var out [][]repository.PackEntry
	for i, e := range entries {
		if e.Flags&repository.FlagGrouped == 0 {
			continue
		}
		if i == 0 || entries[i-1].Offset != e.Offset {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], e)
	}
	return out
}
