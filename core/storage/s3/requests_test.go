package s3_test

import (
	"io"
	"sync"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
)

// TestRequestsPerOperation pins the number of billed requests each
// operation makes: one per object operation, one LIST per 1000 keys.
func TestRequestsPerOperation(t *testing.T) {
	srv := minio(t)
	b := open(t, srv.options())
	ctx := t.Context()
	big, bigName := storagetest.Blob(20 << 20)
	h := storage.Handle{Kind: storage.KindData, Name: bigName}
	storagetest.Requests(t, b, "Save 20 MiB", storage.Requests{Put: 1}, func() error { return b.Save(ctx, h, big) })
	storagetest.Requests(t, b, "Load range", storage.Requests{Get: 1}, func() error {
		rd, err := b.Load(ctx, h, 5<<20, 8<<20)
		if err != nil {
			return err
		}
		defer rd.Close()
		_, err = io.Copy(io.Discard, rd)
		return err
	})
	storagetest.Requests(t, b, "Stat", storage.Requests{Head: 1}, func() error { _, err := b.Stat(ctx, h); return err })
	storagetest.Requests(t, b, "Remove", storage.Requests{Delete: 1}, func() error { return b.Remove(ctx, h) })
	storagetest.Requests(t, b, "Remove missing", storage.Requests{Delete: 1}, func() error { return b.Remove(ctx, h) })

	const n = 1500
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			data, name := storagetest.Blob(32)
			if err := b.Save(ctx, storage.Handle{Kind: storage.KindIndex, Name: name}, data); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	storagetest.Requests(t, b, "List 1500", storage.Requests{List: 2}, func() error {
		seen := 0
		err := b.List(ctx, storage.KindIndex, func(storage.Info) error { seen++; return nil })
		if err == nil && seen != n {
			t.Fatalf("listed %d, want %d", seen, n)
		}
		return err
	})
	storagetest.Requests(t, b, "List empty kind", storage.Requests{List: 1}, func() error {
		return b.List(ctx, storage.KindSnapshot, func(storage.Info) error { return nil })
	})
}
