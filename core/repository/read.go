package repository

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// ErrBlobNotFound means a blob is not in the index.
var ErrBlobNotFound = errors.New("blob not found in the index")

// LoadBlob returns the plaintext of a blob, checked against its ID. Tree
// blobs are read through a cache of whole meta packs, so walking a tree
// costs one request per meta pack, not one per directory.
func (r *Repository) LoadBlob(ctx context.Context, id ID) ([]byte, error) {
	if err := r.LoadIndex(ctx); err != nil {
		return nil, err
	}
	l, ok := r.idx.Lookup(id)
	if !ok {
		return nil, fmt.Errorf("blob %s: %w", id, ErrBlobNotFound)
	}
	return r.LoadBlobAt(ctx, id, l)
}

// DecodeBlob opens, decompresses and checks a blob's stored bytes (for a
// grouped blob, its whole group's). The plaintext is written into dst's
// storage when it fits. Restore uses it on bytes it read in bulk.
func (r *Repository) DecodeBlob(id ID, l Location, stored, dst []byte) ([]byte, error) {
	if l.Grouped() {
		var c GroupCache
		plain, err := r.DecodeBlobCached(&c, id, l, stored, nil)
		if err != nil {
			return nil, err
		}
		return append(dst[:0], plain...), nil
	}
	dst, err := r.decodeUnit(l, stored, dst, int(l.RawLength))
	if err != nil {
		return nil, fmt.Errorf("pack %s: blob %s: %w", l.Pack, id, err)
	}
	if r.Hash(dst) != id {
		return nil, fmt.Errorf("pack %s: blob %s does not match its ID: %w", l.Pack, id, ErrCorrupted)
	}
	return dst, nil
}

// ReadPackRange reads [off, off+n) of a pack in one request.
func (r *Repository) ReadPackRange(ctx context.Context, kind storage.Kind, pack ID, off, n int64) ([]byte, error) {
	return loadRange(ctx, r.be, storage.Handle{Kind: kind, Name: pack.String()}, off, n)
}

// metaCache holds whole meta packs, bounded in total size.
type metaCache struct {
	mu    sync.Mutex
	packs map[ID][]byte
	size  int
}

const metaCacheLimit = 128 << 20

func (c *metaCache) get(ctx context.Context, r *Repository, pack ID) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock() // one load at a time: concurrent walkers wait for the same pack
	if b, ok := c.packs[pack]; ok {
		return b, nil
	}
	data, err := r.LoadObject(ctx, storage.KindMeta, pack)
	if err != nil {
		return nil, fmt.Errorf("reading meta pack %s: %w", pack, err)
	}
	for c.size+len(data) > metaCacheLimit && len(c.packs) > 0 {
		for k, v := range c.packs {
			c.size -= len(v)
			delete(c.packs, k)
			break
		}
	}
	c.packs[pack] = data
	c.size += len(data)
	return data, nil
}
