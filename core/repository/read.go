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

// DecodeBlob opens, decompresses and checks a blob's stored bytes. The
// plaintext is appended to dst. Restore uses it on bytes it read in bulk.
func (r *Repository) DecodeBlob(id ID, l Location, stored, dst []byte) ([]byte, error) {
	if l.RawLength > MaxBlobSize {
		return nil, fmt.Errorf("pack %s: blob %s: size %d: %w", l.Pack, id, l.RawLength, ErrCorrupted)
	}
	var body []byte
	var err error
	if l.Flags&flagCompressed != 0 {
		tmp := getScratch(len(stored))
		body, err = r.sealer.Open((*tmp)[:0], stored)
		if err == nil {
			dst, err = r.codec.decompress(dst, body, int(l.RawLength))
		}
		*tmp = body
		putScratch(tmp)
	} else {
		dst, err = r.sealer.Open(dst[:0], stored)
	}
	if err != nil {
		return nil, fmt.Errorf("pack %s: blob %s: %v: %w", l.Pack, id, err, ErrCorrupted)
	}
	if len(dst) != int(l.RawLength) || r.Hash(dst) != id {
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
