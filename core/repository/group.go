package repository

import (
	"context"
	"fmt"
	"runtime"

	"github.com/savepoint-ci/savepoint/core/crypto"
)

// openGroup collects the plaintext of data blobs until it is compressed and
// sealed as one compression group (format version 2).
type openGroup struct {
	buf     []byte
	members []PackEntry // ID, Type, RawLength and GroupOffset set
}

func (g *openGroup) add(e PackEntry, plain []byte) {
	e.GroupOffset = uint32(len(g.buf))
	g.buf = append(g.buf, plain...)
	g.members = append(g.members, e)
}

// groupLimit is the plaintext size at which a group closes: groupTarget,
// or less in small packs so a group never fills more than a quarter of one.
func groupLimit(packSize int) int { return min(groupTarget, packSize/4) }

// groupable reports whether a blob of type t and n bytes goes into a group.
func (r *Repository) groupable(t BlobType, n int) bool {
	return r.cfg.Version >= 2 && t == DataBlob && n < groupLimit(r.cfg.PackSize)
}

// GroupsBlob reports whether SaveBlob takes a blob of type t and n bytes
// without compressing it in the caller: it copies it into a compression
// group, compressed in the background (or, when the blob looks
// incompressible, seals it raw into the pack), so callers need no worker
// of their own for it.
func (r *Repository) GroupsBlob(t BlobType, n int) bool { return r.groupable(t, n) }

// addToGroup puts a new blob into the session's open group. A group that
// fills goes to the sealers (startSealers); this waits while all of them
// are busy, which bounds the groups in memory.
func (w *writer) addToGroup(ctx context.Context, e PackEntry, plain []byte) error {
	limit := groupLimit(w.r.cfg.PackSize)
	w.mu.Lock()
	var full *openGroup
	g := w.group
	if g != nil && len(g.buf)+len(plain) > limit {
		full, g = g, nil
	}
	if g == nil {
		g = getGroup(limit)
		w.group = g
	}
	g.add(e, plain)
	w.stats.Blobs++
	w.stats.BytesRaw += int64(len(plain))
	if full != nil {
		w.sealing.Add(1)
	}
	w.mu.Unlock()
	if full == nil {
		return nil
	}
	select {
	case w.seals <- groupSeal{ctx, full}:
		return nil
	case <-ctx.Done():
		// Its blobs were promised stored: no later Flush may commit
		// without them.
		w.fail(fmt.Errorf("a compression group was not stored: %w", ctx.Err()))
		full.release()
		w.sealing.Done()
		return ctx.Err()
	}
}

// groupSeal is a full group and the context of the call that closed it:
// its pack's upload runs under that context, as packs filled by SaveBlob
// itself do (writer.go's upload).
type groupSeal struct {
	ctx context.Context
	g   *openGroup
}

// startSealers starts the goroutines that compress and seal full groups,
// one per core.
func (w *writer) startSealers() {
	w.seals = make(chan groupSeal)
	for i := 0; i < runtime.GOMAXPROCS(0); i++ {
		w.sealers.Add(1)
		go func() {
			defer w.sealers.Done()
			for s := range w.seals {
				if err := w.sealGroup(s.ctx, s.g); err != nil {
					w.fail(err)
				}
				w.sealing.Done()
			}
		}()
	}
}

// flushGroups waits for the sealers and seals the open group (after the
// groups before it, so packs keep the order of the save): then every blob
// saved is in a pack builder.
func (w *writer) flushGroups(ctx context.Context) error {
	w.sealing.Wait()
	w.mu.Lock()
	g := w.group
	w.group = nil
	w.mu.Unlock()
	if g == nil {
		return nil
	}
	return w.sealGroup(ctx, g)
}

// stopSealers ends the sealers (Close).
func (w *writer) stopSealers() {
	if w.seals != nil {
		close(w.seals)
		w.sealers.Wait()
	}
}

// sealGroup compresses a closed group and seals it into the data pack.
func (w *writer) sealGroup(ctx context.Context, g *openGroup) error {
	r := w.r
	body, flags, scratch := r.compressUnit(g.buf)
	err := w.appendToPack(ctx, DataBlob, len(body)+r.sealer.Overhead(), func(b *packBuilder) {
		b.addSealedGroup(g.members, flags, len(g.buf), r.sealer, body)
	})
	putScratch(scratch)
	g.release()
	return err
}

// groupFree keeps group buffers across garbage collections (see scratch.go).
var groupFree = make(chan *openGroup, 4)

func getGroup(limit int) *openGroup {
	select {
	case g := <-groupFree:
		if cap(g.buf) >= limit {
			return g
		}
	default:
	}
	return &openGroup{buf: make([]byte, 0, limit)}
}

func (g *openGroup) release() {
	g.buf, g.members = g.buf[:0], g.members[:0]
	select {
	case groupFree <- g:
	default:
	}
}

// compressUnit compresses a unit's plaintext when that pays off. It returns
// the body to seal (plain itself, or compressed bytes in scratch), its
// flags, and the scratch buffer to give back with putScratch.
func (r *Repository) compressUnit(plain []byte) ([]byte, uint8, *[]byte) {
	// Room for zstd's worst case, so incompressible units do not regrow it.
	scratch := getScratch(len(plain) + len(plain)>>7 + 512)
	if comp, ok := r.codec.compress((*scratch)[:0], plain, r.cfg.Version); ok {
		*scratch = comp
		return comp, flagCompressed, scratch
	}
	return plain, 0, scratch
}

// addSealedGroup seals a group's body into the pack and records one entry
// per member.
func (p *packBuilder) addSealedGroup(members []PackEntry, flags uint8, raw int, s *crypto.Sealer, body []byte) {
	off := uint32(len(p.buf))
	p.buf = s.Seal(p.buf, body)
	for _, m := range members {
		m.Flags, m.Offset, m.Length, m.GroupRaw = flags|FlagGrouped, off, uint32(len(p.buf))-off, uint32(raw)
		p.entries = append(p.entries, m)
	}
}

// GroupCache holds the plaintext of the last compression group decoded, so
// that the blobs of one group, read one after the other, decode it once.
// The zero value is ready; it is not safe for concurrent use.
type GroupCache struct {
	loc   Location
	valid bool
	plain []byte
}

// Holds reports whether l's group is decoded in the cache: its stored bytes
// need not be read again.
func (c *GroupCache) Holds(l Location) bool { return c.valid && c.loc.SameUnit(l) }

// DecodeBlobCached is DecodeBlob for callers that read many blobs in pack
// order. For a grouped blob, stored is the whole group's stored bytes (nil
// when c.Holds(l)), and the plaintext returned is part of c's buffer, valid
// until c is used again; other blobs are decoded into dst as by DecodeBlob.
func (r *Repository) DecodeBlobCached(c *GroupCache, id ID, l Location, stored, dst []byte) ([]byte, error) {
	if !l.Grouped() {
		return r.DecodeBlob(id, l, stored, dst)
	}
	if !c.Holds(l) {
		c.valid = false
		plain, err := r.decodeUnit(l, stored, c.plain[:0], int(l.GroupRaw))
		if err != nil {
			return nil, fmt.Errorf("pack %s: group at %d (blob %s): %w", l.Pack, l.Offset, id, err)
		}
		c.loc, c.valid, c.plain = l, true, plain
	}
	return r.blobInGroup(id, l, c.plain)
}

// blobInGroup takes a grouped blob out of its group's plaintext and checks
// it against its ID. The result is part of group.
func (r *Repository) blobInGroup(id ID, l Location, group []byte) ([]byte, error) {
	end := uint64(l.GroupOffset) + uint64(l.RawLength)
	if end > uint64(len(group)) {
		return nil, fmt.Errorf("pack %s: blob %s beyond its group: %w", l.Pack, id, ErrCorrupted)
	}
	plain := group[l.GroupOffset:end]
	if r.Hash(plain) != id {
		return nil, fmt.Errorf("pack %s: blob %s does not match its ID: %w", l.Pack, id, ErrCorrupted)
	}
	return plain, nil
}

// decodeUnit opens a stored unit (a blob or a group) and decompresses it
// into dst, checking it is raw bytes long.
func (r *Repository) decodeUnit(l Location, stored, dst []byte, raw int) ([]byte, error) {
	if raw > MaxBlobSize {
		return nil, fmt.Errorf("size %d: %w", raw, ErrCorrupted)
	}
	if !l.Compressed() {
		out, err := r.sealer.Open(dst[:0], stored)
		if err != nil {
			return nil, fmt.Errorf("%v: %w", err, ErrCorrupted)
		}
		if len(out) != raw {
			return nil, fmt.Errorf("%d bytes, the index says %d: %w", len(out), raw, ErrCorrupted)
		}
		return out, nil
	}
	tmp := getScratch(len(stored))
	body, err := r.sealer.Open((*tmp)[:0], stored)
	if err == nil {
		dst, err = r.codec.decompress(dst, body, raw)
	} else {
		err = fmt.Errorf("%v: %w", err, ErrCorrupted)
	}
	*tmp = body
	putScratch(tmp)
	return dst, err
}
