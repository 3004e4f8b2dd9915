// Package storagetest is the conformance suite every storage.Backend runs,
// and Faulty, a wrapper that injects faults into any backend for crash
// tests. Call Run from a backend's tests with a constructor that returns a
// fresh, already-created, empty backend.
package storagetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// Run runs every conformance test against backends made by newBackend.
func Run(t *testing.T, newBackend func(t *testing.T) storage.Backend) {
	tests := []struct {
		name string
		fn   func(t *testing.T, b storage.Backend)
	}{
		{"SaveLoad", testSaveLoad},
		{"Ranges", testRanges},
		{"Missing", testMissing},
		{"Stat", testStat},
		{"List", testList},
		{"Replace", testReplace},
		{"Remove", testRemove},
		{"InvalidNames", testInvalidNames},
		{"Concurrent", testConcurrent},
		{"Large", testLarge},
		{"Empty", testEmpty},
		{"Cancel", testCancel},
		{"WriterDies", testWriterDies},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackend(t)
			defer b.Close()
			tc.fn(t, b)
		})
	}
}

// Blob returns n random bytes and their content-addressed name.
func Blob(n int) ([]byte, string) {
	data := make([]byte, n)
	rand.Read(data)
	sum := sha256.Sum256(data)
	return data, hex.EncodeToString(sum[:])
}

func load(t *testing.T, b storage.Backend, h storage.Handle, off, n int64) []byte {
	t.Helper()
	rd, err := b.Load(context.Background(), h, off, n)
	if err != nil {
		t.Fatalf("Load(%s, %d, %d): %v", h, off, n, err)
	}
	defer rd.Close()
	data, err := io.ReadAll(rd)
	if err != nil {
		t.Fatalf("reading %s: %v", h, err)
	}
	return data
}

func save(t *testing.T, b storage.Backend, h storage.Handle, data []byte) {
	t.Helper()
	if err := b.Save(context.Background(), h, data); err != nil {
		t.Fatalf("Save(%s): %v", h, err)
	}
}

func testSaveLoad(t *testing.T, b storage.Backend) {
	for _, k := range []storage.Kind{storage.KindData, storage.KindMeta, storage.KindIndex, storage.KindSnapshot, storage.KindKey} {
		data, name := Blob(1000)
		h := storage.Handle{Kind: k, Name: name}
		save(t, b, h, data)
		if got := load(t, b, h, 0, 0); !bytes.Equal(got, data) {
			t.Fatalf("%s: loaded %d bytes differ from the %d saved", h, len(got), len(data))
		}
	}
	h := storage.Handle{Kind: storage.KindConfig, Name: "config"}
	save(t, b, h, []byte("cfg"))
	if got := load(t, b, h, 0, 0); string(got) != "cfg" {
		t.Fatalf("config: got %q", got)
	}
}

func testRanges(t *testing.T, b storage.Backend) {
	data, name := Blob(64 * 1024)
	h := storage.Handle{Kind: storage.KindData, Name: name}
	save(t, b, h, data)
	for _, r := range [][2]int64{{0, 1}, {1, 100}, {1000, 0}, {65535, 1}, {0, 65536}, {40000, 24000}} {
		want := data[r[0]:]
		if r[1] > 0 {
			want = data[r[0] : r[0]+r[1]]
		}
		if got := load(t, b, h, r[0], r[1]); !bytes.Equal(got, want) {
			t.Fatalf("range %v: got %d bytes, want %d", r, len(got), len(want))
		}
	}
	rd, err := b.Load(context.Background(), h, 65000, 1000)
	if err == nil {
		_, err = io.ReadAll(rd)
		rd.Close()
		if err == nil {
			t.Fatalf("a range past the end of the object must fail")
		}
	}
}

func testMissing(t *testing.T, b storage.Backend) {
	_, name := Blob(10)
	h := storage.Handle{Kind: storage.KindData, Name: name}
	if _, err := b.Load(context.Background(), h, 0, 0); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Load of a missing object: got %v, want ErrNotFound", err)
	}
	if _, err := b.Stat(context.Background(), h); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Stat of a missing object: got %v, want ErrNotFound", err)
	}
	cfg := storage.Handle{Kind: storage.KindConfig, Name: "config"}
	if _, err := b.Load(context.Background(), cfg, 0, 0); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Load of a missing config: got %v, want ErrNotFound", err)
	}
}

func testStat(t *testing.T, b storage.Backend) {
	data, name := Blob(12345)
	h := storage.Handle{Kind: storage.KindIndex, Name: name}
	save(t, b, h, data)
	fi, err := b.Stat(context.Background(), h)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size != 12345 || fi.Name != name || fi.ModTime.IsZero() {
		t.Fatalf("Stat: got %+v", fi)
	}
}

func list(t *testing.T, b storage.Backend, k storage.Kind) map[string]int64 {
	t.Helper()
	got := map[string]int64{}
	err := b.List(context.Background(), k, func(fi storage.Info) error {
		if _, dup := got[fi.Name]; dup {
			return fmt.Errorf("%s listed twice", fi.Name)
		}
		got[fi.Name] = fi.Size
		return nil
	})
	if err != nil {
		t.Fatalf("List(%s): %v", k, err)
	}
	return got
}

func testList(t *testing.T, b storage.Backend) {
	want := map[string]int64{}
	for i := 0; i < 30; i++ {
		data, name := Blob(100 + i)
		save(t, b, storage.Handle{Kind: storage.KindData, Name: name}, data)
		want[name] = int64(len(data))
	}
	other, oname := Blob(7)
	save(t, b, storage.Handle{Kind: storage.KindMeta, Name: oname}, other)
	got := list(t, b, storage.KindData)
	if len(got) != len(want) {
		t.Fatalf("List(data): %d objects, want %d", len(got), len(want))
	}
	for n, s := range want {
		if got[n] != s {
			t.Fatalf("List(data): %s has size %d, want %d", n, got[n], s)
		}
	}
	if m := list(t, b, storage.KindMeta); len(m) != 1 || m[oname] != 7 {
		t.Fatalf("List(meta) = %v, want only %s", m, oname)
	}
	if s := list(t, b, storage.KindSession); len(s) != 0 {
		t.Fatalf("List of an empty kind returned %v", s)
	}
	stop := errors.New("stop")
	n := 0
	err := b.List(context.Background(), storage.KindData, func(storage.Info) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("List must stop at the callback's first error: err=%v calls=%d", err, n)
	}
}

func testReplace(t *testing.T, b storage.Backend) {
	h := storage.Handle{Kind: storage.KindSession, Name: "writer-1"}
	save(t, b, h, []byte("first"))
	save(t, b, h, []byte("second version"))
	if got := load(t, b, h, 0, 0); string(got) != "second version" {
		t.Fatalf("after replace: got %q", got)
	}
	if l := list(t, b, storage.KindSession); len(l) != 1 {
		t.Fatalf("after replace the kind lists %d objects, want 1", len(l))
	}
}

func testRemove(t *testing.T, b storage.Backend) {
	data, name := Blob(50)
	h := storage.Handle{Kind: storage.KindSnapshot, Name: name}
	save(t, b, h, data)
	if err := b.Remove(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Stat(context.Background(), h); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Stat after Remove: %v", err)
	}
	if l := list(t, b, storage.KindSnapshot); len(l) != 0 {
		t.Fatalf("List after Remove: %v", l)
	}
	if err := b.Remove(context.Background(), h); err != nil {
		t.Fatalf("removing a missing object must not fail: %v", err)
	}
}

func testInvalidNames(t *testing.T, b storage.Backend) {
	for _, h := range []storage.Handle{
		{Kind: storage.KindData, Name: ""},
		{Kind: storage.KindData, Name: "../escape"},
		{Kind: storage.KindData, Name: "a/b"},
		{Kind: storage.KindData, Name: ".hidden"},
		{Kind: "nonsense", Name: "x"},
	} {
		if err := b.Save(context.Background(), h, []byte("x")); !errors.Is(err, storage.ErrInvalid) {
			t.Errorf("Save(%q) = %v, want ErrInvalid", h, err)
		}
	}
}

func testConcurrent(t *testing.T, b storage.Backend) {
	const n = 16
	var wg sync.WaitGroup
	names := make([]string, n)
	datas := make([][]byte, n)
	errs := make(chan error, 2*n)
	for i := 0; i < n; i++ {
		datas[i], names[i] = Blob(256*1024 + i)
	}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			h := storage.Handle{Kind: storage.KindData, Name: names[i]}
			if err := b.Save(context.Background(), h, datas[i]); err != nil {
				errs <- err
				return
			}
			rd, err := b.Load(context.Background(), h, 0, 0)
			if err != nil {
				errs <- err
				return
			}
			got, err := io.ReadAll(rd)
			rd.Close()
			if err != nil || !bytes.Equal(got, datas[i]) {
				errs <- fmt.Errorf("object %d read back wrong (%v)", i, err)
			}
		}(i)
	}
	// A concurrent lister must only ever see whole objects of known names.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for r := 0; r < 5; r++ {
			err := b.List(context.Background(), storage.KindData, func(fi storage.Info) error {
				for i, nm := range names {
					if nm == fi.Name {
						if fi.Size != int64(len(datas[i])) {
							return fmt.Errorf("listed %s with partial size %d", nm, fi.Size)
						}
						return nil
					}
				}
				return fmt.Errorf("listed unknown object %q", fi.Name)
			})
			if err != nil {
				errs <- err
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := list(t, b, storage.KindData)
	keys := make([]string, 0, len(got))
	for k := range got {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) != n {
		t.Fatalf("after concurrent saves %d objects are listed, want %d", len(keys), n)
	}
}

func testLarge(t *testing.T, b storage.Backend) {
	data, name := Blob(20 << 20)
	h := storage.Handle{Kind: storage.KindData, Name: name}
	save(t, b, h, data)
	if got := load(t, b, h, 0, 0); !bytes.Equal(got, data) {
		t.Fatal("20 MiB object read back wrong")
	}
	if got := load(t, b, h, 19<<20, 1<<20); !bytes.Equal(got, data[19<<20:]) {
		t.Fatal("tail range of a 20 MiB object read back wrong")
	}
}

func testEmpty(t *testing.T, b storage.Backend) {
	h := storage.Handle{Kind: storage.KindSession, Name: "empty"}
	save(t, b, h, nil)
	if got := load(t, b, h, 0, 0); len(got) != 0 {
		t.Fatalf("empty object loaded as %d bytes", len(got))
	}
}
