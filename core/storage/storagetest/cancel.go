package storagetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// Visible reports whether Stat and List find h (other errors fail t).
func Visible(t testing.TB, b storage.Backend, h storage.Handle) (stat, listed bool) {
	t.Helper()
	_, err := b.Stat(context.Background(), h)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Stat(%s): %v", h, err)
	}
	err2 := b.List(context.Background(), h.Kind, func(fi storage.Info) error {
		listed = listed || fi.Name == h.Name
		return nil
	})
	if err2 != nil {
		t.Fatalf("List(%s): %v", h.Kind, err2)
	}
	return err == nil, listed
}

// absentOrWhole checks that h is either missing or holds exactly data, by
// Stat, Load and List. It reports whether the object is there.
//
// A request the client cancelled may still be completed by the server
// after the client gave up (a registry finishing a manifest PUT): the
// object may appear between the Stat and the List. Then Stat must see it
// too, whole; an object that List shows and Stat keeps missing fails.
func absentOrWhole(t *testing.T, b storage.Backend, h storage.Handle, data []byte) bool {
	t.Helper()
	ctx := context.Background()
	fi, err := b.Stat(ctx, h)
	if errors.Is(err, storage.ErrNotFound) {
		l := list(t, b, h.Kind)
		if l[h.Name] == 0 {
			return false
		}
		if fi, err = b.Stat(ctx, h); errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("%s: Stat says missing, List shows %d bytes", h, l[h.Name])
		}
	}
	if err != nil {
		t.Fatalf("Stat(%s): %v", h, err)
	}
	if fi.Size != int64(len(data)) {
		t.Fatalf("%s is visible with %d bytes, want all %d or nothing", h, fi.Size, len(data))
	}
	if got := load(t, b, h, 0, 0); !bytes.Equal(got, data) {
		t.Fatalf("%s loads %d bytes that differ from the %d saved", h, len(got), len(data))
	}
	if l := list(t, b, h.Kind); l[h.Name] != int64(len(data)) {
		t.Fatalf("%s: List shows %d bytes, want %d", h, l[h.Name], len(data))
	}
	return true
}

// testCancel: a Save or List whose context ends reports the cancellation
// (errors.Is context.Canceled), and a Save cancelled at any point leaves
// the object absent or whole.
func testCancel(t *testing.T, b storage.Backend) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	data, name := Blob(1000)
	h := storage.Handle{Kind: storage.KindData, Name: name}
	if err := b.Save(ctx, h, data); !errors.Is(err, context.Canceled) {
		t.Fatalf("Save with a cancelled context = %v, want context.Canceled", err)
	}
	if absentOrWhole(t, b, h, data) {
		t.Fatalf("Save with a cancelled context stored %s", h)
	}
	for i := 0; i < 12; i++ {
		data, name := Blob(100 + i)
		save(t, b, storage.Handle{Kind: storage.KindMeta, Name: name}, data)
	}
	if err := b.List(ctx, storage.KindMeta, func(storage.Info) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("List with a cancelled context = %v, want context.Canceled", err)
	}
	// Mid-List: the callback cancels; List must not report success.
	ctx, cancel = context.WithCancel(context.Background())
	calls := 0
	err := b.List(ctx, storage.KindMeta, func(storage.Info) error {
		if calls++; calls == 3 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("List cancelled after %d of 12 objects = %v, want context.Canceled", calls, err)
	}
	// Mid-Save: cancel later and later until a Save completes.
	data, name = Blob(8 << 20)
	h = storage.Handle{Kind: storage.KindData, Name: name}
	cut := 0
	for d := 100 * time.Microsecond; ; d *= 2 {
		if d > 30*time.Second {
			t.Fatal("an 8 MiB Save never completed within 30s")
		}
		ctx, cancel := context.WithCancel(context.Background())
		stop := time.AfterFunc(d, cancel)
		err := b.Save(ctx, h, data)
		stop.Stop()
		cancel()
		if err == nil {
			break
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Save cancelled after %v = %v, want context.Canceled", d, err)
		}
		cut++
		absentOrWhole(t, b, h, data)
	}
	if !absentOrWhole(t, b, h, data) {
		t.Fatalf("%s is missing after its Save returned nil", h)
	}
	t.Logf("%d Saves cancelled before one completed", cut)
}

// testWriterDies: a writer that dies half-way leaves nothing visible. A
// Faulty wrapper cuts a large Save later and later; meanwhile a watcher
// lists, stats and loads the object, and must only ever see it missing or
// whole. A replaced free-name object shows the old or the new bytes.
func testWriterDies(t *testing.T, b storage.Backend) {
	data, name := Blob(8 << 20)
	cutUntilWhole(t, b, storage.Handle{Kind: storage.KindData, Name: name}, nil, data)
	h := storage.Handle{Kind: storage.KindSession, Name: "writer-dies"}
	old := bytes.Repeat([]byte("old version "), 100)
	save(t, b, h, old)
	cutUntilWhole(t, b, h, old, bytes.Repeat([]byte("new version "), 400_000))
}

// cutUntilWhole cuts Saves of data to h later and later until one stores
// it, while a watcher checks that h holds old (nil: nothing) or data.
func cutUntilWhole(t *testing.T, b storage.Backend, h storage.Handle, old, data []byte) {
	t.Helper()
	f := NewFaulty(b)
	stop := make(chan struct{})
	bad := make(chan error, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			if err := watch(b, h, old, data); err != nil {
				bad <- err
				return
			}
		}
	}()
	cuts := 0
	for d := time.Duration(0); ; d = max(2*d, 100*time.Microsecond) {
		if d > 30*time.Second {
			t.Fatalf("a Save of %s never completed before its cut", h)
		}
		f.Add(Fault{Op: OpSave, Times: 1, Cut: true, Delay: d})
		if err := f.Save(context.Background(), h, data); !errors.Is(err, ErrInjected) {
			t.Fatalf("cut Save = %v, want ErrInjected", err)
		}
		if err := watch(b, h, old, data); err != nil {
			t.Fatal(err)
		}
		fi, err := b.Stat(context.Background(), h)
		if err == nil && fi.Size == int64(len(data)) {
			break
		}
		cuts++
	}
	close(stop)
	wg.Wait()
	select {
	case err := <-bad:
		t.Fatal(err)
	default:
	}
	if f.Injected() != cuts+1 {
		t.Fatalf("%d faults injected, want %d", f.Injected(), cuts+1)
	}
	t.Logf("%s: %d cut Saves left no partial object", h.Kind, cuts)
}

// watch looks at h once: missing (when old is nil), old or data, never
// anything else.
func watch(b storage.Backend, h storage.Handle, old, data []byte) error {
	ctx := context.Background()
	ok := func(n int64) bool {
		return n == int64(len(data)) || (old != nil && n == int64(len(old)))
	}
	err := b.List(ctx, h.Kind, func(fi storage.Info) error {
		if fi.Name == h.Name && !ok(fi.Size) {
			return fmt.Errorf("List shows %s with %d bytes", h, fi.Size)
		}
		return nil
	})
	if err != nil {
		return err
	}
	rd, err := b.Load(ctx, h, 0, 0)
	if errors.Is(err, storage.ErrNotFound) && old == nil {
		return nil
	}
	if err != nil {
		return fmt.Errorf("Load(%s) while a writer dies: %w", h, err)
	}
	got, err := io.ReadAll(rd)
	rd.Close()
	if err != nil {
		return fmt.Errorf("reading %s while a writer dies: %w", h, err)
	}
	if !bytes.Equal(got, data) && (old == nil || !bytes.Equal(got, old)) {
		return fmt.Errorf("%s loads %d bytes that are neither the old nor the new object", h, len(got))
	}
	return nil
}
