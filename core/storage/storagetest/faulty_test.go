package storagetest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/mem"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
)

var ctx = context.Background()

// Without faults the wrapper is a conforming backend.
func TestFaultyConforms(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Backend { return storagetest.NewFaulty(mem.New()) })
}

func blob(t *testing.T, k storage.Kind) (storage.Handle, []byte) {
	data, name := storagetest.Blob(100)
	return storage.Handle{Kind: k, Name: name}, data
}

func exists(t *testing.T, be storage.Backend, h storage.Handle) bool {
	t.Helper()
	_, err := be.Stat(ctx, h)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

func TestFaultyNthCall(t *testing.T) {
	be := mem.New()
	f := storagetest.NewFaulty(be, storagetest.Fault{Op: storagetest.OpSave, Nth: 3, Times: 2})
	for i := 1; i <= 5; i++ {
		h, data := blob(t, storage.KindData)
		err := f.Save(ctx, h, data)
		if fail := i == 3 || i == 4; fail != errors.Is(err, storagetest.ErrInjected) {
			t.Fatalf("Save %d: %v", i, err)
		}
		if (err == nil) != exists(t, be, h) {
			t.Fatalf("Save %d returned %v, object stored: %v", i, err, !(err == nil))
		}
	}
	if f.Calls(storagetest.OpSave) != 5 || f.Injected() != 2 {
		t.Fatalf("calls %d, injected %d; want 5 and 2", f.Calls(storagetest.OpSave), f.Injected())
	}
}

// A crash after the first write: every later write fails, reads still work.
func TestFaultyCrashAfterWrites(t *testing.T) {
	be := mem.New()
	crash := errors.New("crashed")
	f := storagetest.NewFaulty(be, storagetest.Fault{Op: storagetest.OpWrites, Nth: 2, Err: crash})
	h, data := blob(t, storage.KindSnapshot)
	if err := f.Save(ctx, h, data); err != nil {
		t.Fatal(err)
	}
	if err := f.Remove(ctx, h); !errors.Is(err, crash) {
		t.Fatalf("Remove after the crash: %v", err)
	}
	h2, data2 := blob(t, storage.KindSnapshot)
	if err := f.Save(ctx, h2, data2); !errors.Is(err, crash) {
		t.Fatalf("Save after the crash: %v", err)
	}
	if !exists(t, f, h) || exists(t, be, h2) {
		t.Fatal("the crash changed what is stored")
	}
}

func TestFaultyCutLostAndKind(t *testing.T) {
	be := mem.New()
	f := storagetest.NewFaulty(be,
		storagetest.Fault{Op: storagetest.OpSave, Kind: storage.KindIndex, Times: 1, Cut: true},
		storagetest.Fault{Op: storagetest.OpSave, Kind: storage.KindMeta, Times: 1, Lost: true})
	d, dd := blob(t, storage.KindData)
	if err := f.Save(ctx, d, dd); err != nil || !exists(t, be, d) {
		t.Fatalf("a Save of another kind was hit: %v", err)
	}
	cut, cd := blob(t, storage.KindIndex)
	if err := f.Save(ctx, cut, cd); !errors.Is(err, storagetest.ErrInjected) || exists(t, be, cut) {
		t.Fatalf("a Save cut at once: err %v, stored %v", err, exists(t, be, cut))
	}
	lost, ld := blob(t, storage.KindMeta)
	if err := f.Save(ctx, lost, ld); !errors.Is(err, storagetest.ErrInjected) || !exists(t, be, lost) {
		t.Fatalf("a Save whose answer is lost: err %v, stored %v", err, exists(t, be, lost))
	}
	if err := f.Save(ctx, cut, cd); err != nil {
		t.Fatalf("the cut fault hit twice: %v", err)
	}
}

func TestFaultyDelayAndBefore(t *testing.T) {
	ran := false
	f := storagetest.NewFaulty(mem.New(), storagetest.Fault{Op: storagetest.OpList, Delay: time.Hour, Before: func() { ran = true }})
	c, cancel := context.WithCancel(ctx)
	time.AfterFunc(10*time.Millisecond, cancel)
	err := f.List(c, storage.KindData, func(storage.Info) error { return nil })
	if !errors.Is(err, context.Canceled) || !ran {
		t.Fatalf("a delayed List whose context ends: %v (Before ran: %v)", err, ran)
	}
	if f.Injected() != 0 {
		t.Fatalf("a delay counted as %d injected failures", f.Injected())
	}
}
