// Package records keeps the server's own small JSON records (tokens,
// session-marker owners; later jobs and schedules) in its storage, under
// the server-only prefix Prefix. Nothing else lives on the server, so
// several server processes can front one bucket and see the same records.
//
// A Table is a storage.Backend opened at <storage>/savepoint-server/NAME (Open);
// its records are objects of kind storage.KindLease, the kind every backend
// stores with free, replaceable names.
package records

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/savepoint-ci/savepoint/core/location"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// Prefix is the sub-location of the server's records in its storage. It is
// a reserved repository name (protocol.Reserved), so no repository meets it.
const Prefix = "savepoint-server"

const kind = storage.KindLease

// ErrNotFound is returned by Get for a missing record.
var ErrNotFound = storage.ErrNotFound

// Table is one kind of record, each named by a key.
type Table struct {
	be storage.Backend
}

// New returns the table stored in be, a backend opened at the table's
// location (Open does both).
func New(be storage.Backend) *Table { return &Table{be: be} }

// Backend is the storage of the table.
func (t *Table) Backend() storage.Backend { return t.be }

// Get reads the record key into v.
func (t *Table) Get(ctx context.Context, key string, v any) error {
	data, err := storage.LoadAll(ctx, t.be, storage.Handle{Kind: kind, Name: key})
	if errors.Is(err, storage.ErrNoContainer) {
		return fmt.Errorf("record %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("record %s: %v: %w", key, err, storage.ErrInvalid)
	}
	return nil
}

// Put writes (or replaces) the record key. The table's container is made
// on first use.
func (t *Table) Put(ctx context.Context, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	h := storage.Handle{Kind: kind, Name: key}
	err = t.be.Save(ctx, h, data)
	if errors.Is(err, storage.ErrNoContainer) {
		if c, ok := t.be.(storage.Creator); ok {
			if err := c.Create(ctx); err != nil {
				return err
			}
			err = t.be.Save(ctx, h, data)
		}
	}
	return err
}

// Delete removes the record key; a missing record is not an error.
func (t *Table) Delete(ctx context.Context, key string) error {
	err := t.be.Remove(ctx, storage.Handle{Kind: kind, Name: key})
	if errors.Is(err, storage.ErrNoContainer) {
		return nil
	}
	return err
}

// Keys calls fn with every record's key and storage time.
func (t *Table) Keys(ctx context.Context, fn func(key string, mtime time.Time) error) error {
	err := t.be.List(ctx, kind, func(fi storage.Info) error { return fn(fi.Name, fi.ModTime) })
	if errors.Is(err, storage.ErrNoContainer) {
		return nil
	}
	return err
}

// Open opens the table name of the server whose storage is storageURL.
func Open(ctx context.Context, storageURL, name string, opts location.Options) (*Table, error) {
	be, err := location.Open(ctx, location.Join(storageURL, Prefix, name), opts)
	if err != nil {
		return nil, err
	}
	return New(be), nil
}
