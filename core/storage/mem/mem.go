// Package mem is an in-memory storage.Backend for tests and benchmarks.
// It honours the whole Backend contract, so engine tests that pass on it
// exercise the same paths they take on disk, S3 or a registry.
package mem

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
)

type object struct {
	data    []byte
	modTime time.Time
}

// Backend keeps objects in a map. The zero value is not usable: call New.
type Backend struct {
	storage.Counter
	mu      sync.RWMutex
	objects map[storage.Handle]object
	// Now is the clock used for ModTime; tests may replace it.
	Now func() time.Time
}

// New returns an empty in-memory backend.
func New() *Backend {
	return &Backend{objects: map[storage.Handle]object{}, Now: time.Now}
}

func (b *Backend) Location() string { return "memory" }

func (b *Backend) Save(ctx context.Context, h storage.Handle, data []byte) error {
	if err := storage.CheckSave(ctx, h); err != nil {
		return err
	}
	b.Counter.AddPut()
	cp := bytes.Clone(data)
	b.mu.Lock()
	b.objects[h] = object{data: cp, modTime: b.Now()}
	b.mu.Unlock()
	return nil
}

func (b *Backend) Load(ctx context.Context, h storage.Handle, offset, length int64) (io.ReadCloser, error) {
	if err := storage.CheckHandle(h); err != nil {
		return nil, err
	}
	b.Counter.AddGet()
	b.mu.RLock()
	o, ok := b.objects[h]
	b.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%s: %w", h, storage.ErrNotFound)
	}
	end := int64(len(o.data))
	if length > 0 {
		end = offset + length
	}
	if offset < 0 || length < 0 || end > int64(len(o.data)) || offset > end {
		return nil, fmt.Errorf("%s: range %d+%d beyond size %d: %w", h, offset, length, len(o.data), storage.ErrInvalid)
	}
	return io.NopCloser(bytes.NewReader(o.data[offset:end])), nil
}

func (b *Backend) Stat(ctx context.Context, h storage.Handle) (storage.Info, error) {
	if err := storage.CheckHandle(h); err != nil {
		return storage.Info{}, err
	}
	b.Counter.AddHead()
	b.mu.RLock()
	o, ok := b.objects[h]
	b.mu.RUnlock()
	if !ok {
		return storage.Info{}, fmt.Errorf("%s: %w", h, storage.ErrNotFound)
	}
	return storage.Info{Name: h.Name, Size: int64(len(o.data)), ModTime: o.modTime}, nil
}

func (b *Backend) List(ctx context.Context, k storage.Kind, fn func(storage.Info) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.Counter.AddList()
	b.mu.RLock()
	var infos []storage.Info
	for h, o := range b.objects {
		if h.Kind == k {
			infos = append(infos, storage.Info{Name: h.Name, Size: int64(len(o.data)), ModTime: o.modTime})
		}
	}
	b.mu.RUnlock()
	for _, fi := range infos {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(fi); err != nil {
			return err
		}
	}
	return nil
}

func (b *Backend) Remove(ctx context.Context, h storage.Handle) error {
	if err := storage.CheckHandle(h); err != nil {
		return err
	}
	b.Counter.AddDelete()
	b.mu.Lock()
	delete(b.objects, h)
	b.mu.Unlock()
	return nil
}

func (b *Backend) Close() error { return nil }

// Corrupt flips one byte of a stored object, for tamper tests. It reports
// whether the object existed.
func (b *Backend) Corrupt(h storage.Handle, at int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.objects[h]
	if !ok || len(o.data) == 0 {
		return false
	}
	o.data = bytes.Clone(o.data)
	o.data[at%len(o.data)] ^= 0xff
	b.objects[h] = o
	return true
}
