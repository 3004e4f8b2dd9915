package repository

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// WriteStats counts what a session added to the repository.
type WriteStats struct {
	Blobs       int64 // new blobs
	BytesRaw    int64 // their plaintext size
	BytesStored int64 // stored bytes of the packs written
	Packs       int64
}

// writer groups new blobs into packs and uploads them in the background,
// at most Connections at a time.
type writer struct {
	r        *Repository
	mu       sync.Mutex
	builders map[BlobType]*packBuilder
	pending  map[ID]struct{}
	written  sessionPacks // packs uploaded since the last Flush, for its index segment
	blobsNew int          // blobs in them
	stats    WriteStats
	err      error
	uploads  chan upload
	inflight sync.WaitGroup
	workers  sync.WaitGroup
	// bufs holds the data packs' buffers (packbufs.go): pack-sized, reused
	// (allocating a fresh one per pack costs a page-faulting memclr of it),
	// and bounded in number.
	bufs *packBuffers
	// Compression groups (group.go): the one being filled, the sealers
	// that compress full ones, and the groups handed to them.
	group   *openGroup
	seals   chan groupSeal
	sealers sync.WaitGroup
	sealing sync.WaitGroup
}

func (r *Repository) writer() *writer {
	r.wOnce.Do(func() {
		w := &writer{
			r: r, builders: map[BlobType]*packBuilder{}, pending: map[ID]struct{}{},
			written: sessionPacks{}, uploads: make(chan upload),
			bufs: newPackBuffers(dataPackBuffers(r.be), r.cfg.PackSize+packSlack),
		}
		for i := 0; i < r.conns; i++ {
			w.workers.Add(1)
			go w.uploadLoop()
		}
		if r.cfg.Version >= 2 {
			w.startSealers()
		}
		r.w.Store(w)
	})
	return r.w.Load()
}

func (w *writer) close() {
	w.stopSealers()
	close(w.uploads)
	w.workers.Wait()
}

func (w *writer) fail(err error) {
	w.mu.Lock()
	if w.err == nil {
		w.err = err
	}
	w.mu.Unlock()
}

// upload is a finished pack and the context of the call that finished it:
// cancelling that call's context aborts the pack's upload.
type upload struct {
	ctx context.Context
	b   *packBuilder
}

func (w *writer) uploadLoop() {
	defer w.workers.Done()
	for u := range w.uploads {
		w.upload(u.ctx, u.b)
		w.inflight.Done()
	}
}

func (w *writer) upload(ctx context.Context, b *packBuilder) {
	r := w.r
	data, name := b.finish(r.sealer)
	if b.kind == storage.KindData {
		defer w.bufs.put(data)
	}
	if err := r.be.Save(ctx, storage.Handle{Kind: b.kind, Name: ID(name).String()}, data); err != nil {
		w.fail(fmt.Errorf("writing pack: %w", err))
		return
	}
	w.mu.Lock()
	for _, e := range b.entries {
		l := e.location(name, b.kind)
		r.idx.Add(e.ID, l)
		delete(w.pending, e.ID)
	}
	w.written[name] = true
	w.blobsNew += len(b.entries)
	w.stats.Packs++
	w.stats.BytesStored += int64(len(data))
	w.mu.Unlock()
}

// Known reports whether a blob is stored or being stored by this session.
func (r *Repository) Known(id ID) bool {
	if r.idx.Has(id) {
		return true
	}
	w := r.w.Load()
	if w == nil {
		return false
	}
	w.mu.Lock()
	_, ok := w.pending[id]
	w.mu.Unlock()
	return ok
}

// SaveBlob stores plain as a blob of type t under id (which must be
// r.Hash(plain)) unless the repository has it already. It returns whether
// the blob was new. The blob is durable only after Flush. A group or pack
// this call fills is sealed and uploaded in the background under ctx, so
// ctx must stay live until Flush: cancelling it aborts that work and fails
// the writer (a caller that runs something under a shorter context, such
// as a command it kills on return, saves under the longer one).
func (r *Repository) SaveBlob(ctx context.Context, t BlobType, id ID, plain []byte) (bool, error) {
	// A writer announces itself before it trusts the index (docs/prune.md).
	if err := r.BeginSession(ctx, "", time.Now()); err != nil {
		return false, err
	}
	if err := r.LoadIndex(ctx); err != nil {
		return false, err
	}
	if len(plain) > MaxBlobSize {
		return false, fmt.Errorf("blob of %d bytes exceeds the %d-byte limit", len(plain), MaxBlobSize)
	}
	w := r.writer()
	if r.idx.Has(id) {
		return false, nil
	}
	w.mu.Lock()
	if err := w.err; err != nil {
		w.mu.Unlock()
		return false, err
	}
	if _, ok := w.pending[id]; ok {
		w.mu.Unlock()
		return false, nil
	}
	w.pending[id] = struct{}{}
	w.mu.Unlock()

	e := PackEntry{ID: id, Type: t, RawLength: uint32(len(plain))}
	raw := incompressible(plain)
	if !raw && r.groupable(t, len(plain)) {
		if err := w.addToGroup(ctx, e, plain); err != nil {
			return false, err
		}
		return true, nil
	}
	body, scratch := plain, (*[]byte)(nil)
	if !raw {
		body, e.Flags, scratch = r.compressUnit(plain)
	}
	err := w.appendToPack(ctx, t, len(body)+r.sealer.Overhead(), func(b *packBuilder) {
		// Sealing happens under the lock, straight into the pack buffer:
		// AES-GCM runs at GB/s, so this costs less than a scratch buffer and a copy.
		b.addSealed(e, r.sealer, body)
		w.stats.Blobs++
		w.stats.BytesRaw += int64(len(plain))
	})
	if scratch != nil {
		putScratch(scratch)
	}
	if err != nil {
		return false, err
	}
	return true, nil
}

// appendToPack runs add on the open pack of type t under the writer's lock,
// for a unit of sealedLen stored bytes, and sends the packs it fills off to
// upload.
func (w *writer) appendToPack(ctx context.Context, t BlobType, sealedLen int, add func(*packBuilder)) error {
	r := w.r
	var spare []byte // a data pack buffer, taken outside the lock (packbufs.go)
	w.mu.Lock()
	// A pack is sent when the next blob would take it, header included,
	// past the pack size (so its buffer never regrows) or when it is full.
	var full []*packBuilder
	b := w.builders[t]
	for t == DataBlob && spare == nil && (b == nil || (len(b.entries) > 0 && b.size(sealedLen) > r.cfg.PackSize)) {
		w.mu.Unlock()
		var err error
		if spare, err = w.bufs.get(ctx); err != nil {
			// The unit was promised stored (its blobs are pending): no
			// later Flush of this writer may commit without it.
			w.fail(fmt.Errorf("a blob was not stored: %w", err))
			return err
		}
		w.mu.Lock()
		b = w.builders[t]
	}
	if b != nil && len(b.entries) > 0 && b.size(sealedLen) > r.cfg.PackSize {
		full = append(full, b)
		w.inflight.Add(1)
		b = nil
	}
	if b == nil {
		b = w.newBuilder(t, spare)
		spare = nil
		w.builders[t] = b
	}
	add(b)
	if b.size(0) >= r.cfg.PackSize {
		full = append(full, b)
		delete(w.builders, t)
		w.inflight.Add(1)
	}
	w.mu.Unlock()
	if spare != nil { // another writer started the next pack meanwhile
		w.bufs.put(spare)
	}
	for i, p := range full {
		select {
		case w.uploads <- upload{ctx, p}:
		case <-ctx.Done():
			// Blobs of these packs were promised stored: no later Flush
			// of this writer may commit without them.
			w.fail(fmt.Errorf("a pack was not uploaded: %w", ctx.Err()))
			for _, p := range full[i:] {
				w.drop(p)
			}
			return ctx.Err()
		}
	}
	return nil
}

// drop gives up a finished pack that was not handed to an uploader (the
// caller failed the writer): its buffer goes back to w.bufs, or the sealers
// and later packs would wait for it for ever.
func (w *writer) drop(b *packBuilder) {
	if b.kind == storage.KindData {
		w.bufs.put(b.buf)
	}
	w.inflight.Done()
}

// packSlack is room above PackSize in a data pack's buffer for the sealed
// header's overhead.
const packSlack = 4096

// newBuilder starts a pack of type t; a data pack fills buf, a buffer from
// w.bufs.
func (w *writer) newBuilder(t BlobType, buf []byte) *packBuilder {
	if t == TreeBlob {
		// Tree packs stay small in most sessions: let them grow as needed.
		return &packBuilder{kind: storage.KindMeta, version: w.r.cfg.Version}
	}
	// Pack-sized: SaveBlob keeps the finished pack within PackSize (except
	// a single blob larger than that).
	return &packBuilder{kind: storage.KindData, version: w.r.cfg.Version, buf: buf}
}

// Flush uploads every partial pack, waits for all uploads, then writes this
// session's index segment. After Flush returns nil, every blob saved so far
// is durable and indexed: the caller may commit a snapshot that uses them.
// It returns the name of the segment written (zero if nothing was new).
func (r *Repository) Flush(ctx context.Context) (ID, error) {
	w := r.w.Load()
	if w == nil {
		return ID{}, nil
	}
	if err := w.flushGroups(ctx); err != nil {
		w.fail(err)
	}
	w.mu.Lock()
	var parts []*packBuilder
	for t, b := range w.builders {
		parts = append(parts, b)
		delete(w.builders, t)
		w.inflight.Add(1)
	}
	w.mu.Unlock()
	for _, b := range parts {
		select {
		case w.uploads <- upload{ctx, b}:
		case <-ctx.Done():
			w.fail(fmt.Errorf("a pack was not uploaded: %w", ctx.Err()))
			w.drop(b)
		}
	}
	w.inflight.Wait()
	if err := ctx.Err(); err != nil {
		return ID{}, err
	}
	w.mu.Lock()
	err := w.err
	written, n := w.written, w.blobsNew
	w.written, w.blobsNew = sessionPacks{}, 0
	w.mu.Unlock()
	if err != nil {
		return ID{}, err
	}
	if n == 0 {
		return ID{}, nil
	}
	// The last moment to give up before the blobs become visible to others.
	if err := r.checkSession(); err != nil {
		return ID{}, err
	}
	name, err := r.saveSegment(ctx, n, written.blobs(r.idx), nil)
	if err != nil {
		return ID{}, fmt.Errorf("writing the index segment: %w", err)
	}
	return name, nil
}

// WriteStats reports what this session wrote so far.
func (r *Repository) WriteStats() WriteStats {
	w := r.w.Load()
	if w == nil {
		return WriteStats{}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stats
}
