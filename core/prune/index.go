package prune

import (
	"context"
	"fmt"
	"time"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// blobLoc is one stored copy of a blob (about 28 bytes; with the map key
// and overhead about 110 bytes per blob in memory).
type blobLoc struct {
	pack             int32
	off, length, raw uint32
	goff, graw       uint32 // place in its compression group (flags&repository.FlagGrouped)
	typ              repository.BlobType
	flags            uint8
}

// packInfo is what prune knows of one pack.
type packInfo struct {
	id        repository.ID
	kind      storage.Kind
	blobs     int
	bytes     int64 // stored bytes of its indexed blobs
	liveBlobs int   // blobs whose chosen copy is here and that a snapshot uses
	liveBytes int64
	exists    bool // listed in storage
	size      int64
	modTime   time.Time
	doomed    bool // named by a deletion intent
}

// pindex is prune's own view of the index: every copy of every blob, per
// pack, which the repository's merged Index does not keep.
type pindex struct {
	packs    []packInfo
	packPos  map[repository.ID]int32
	blobs    map[repository.ID]blobLoc   // first copy
	dups     map[repository.ID][]blobLoc // further copies (concurrent writers, repack)
	segments []repository.ID             // every segment read, superseded ones included
	seen     map[repository.ID]bool
}

func newPindex() *pindex {
	return &pindex{packPos: map[repository.ID]int32{}, blobs: map[repository.ID]blobLoc{},
		dups: map[repository.ID][]blobLoc{}, seen: map[repository.ID]bool{}}
}

func (x *pindex) pack(id repository.ID, kind storage.Kind) int32 {
	if i, ok := x.packPos[id]; ok {
		return i
	}
	i := int32(len(x.packs))
	x.packs = append(x.packs, packInfo{id: id, kind: kind})
	x.packPos[id] = i
	return i
}

func (x *pindex) add(id repository.ID, l repository.Location) {
	p := x.pack(l.Pack, l.Kind)
	bl := blobLoc{pack: p, off: l.Offset, length: l.Length, raw: l.RawLength, goff: l.GroupOffset, graw: l.GroupRaw, typ: l.Type, flags: l.Flags}
	if first, ok := x.blobs[id]; ok {
		if first == bl {
			return
		}
		for _, d := range x.dups[id] {
			if d == bl {
				return
			}
		}
		x.dups[id] = append(x.dups[id], bl)
	} else {
		x.blobs[id] = bl
	}
	x.packs[p].blobs++
	x.packs[p].bytes += bl.stored()
}

// stored is the blob's share of its pack's bytes: its stored length, or
// for a grouped blob its group's stored length in proportion to its
// plaintext, rounded up (at least 1, so a group's dead blobs always show).
func (b blobLoc) stored() int64 {
	if b.flags&repository.FlagGrouped == 0 || b.graw == 0 {
		return int64(b.length)
	}
	return max(1, (int64(b.length)*int64(b.raw)+int64(b.graw)-1)/int64(b.graw))
}

// locs returns every copy of a blob.
func (x *pindex) locs(id repository.ID) []blobLoc {
	first, ok := x.blobs[id]
	if !ok {
		return nil
	}
	return append([]blobLoc{first}, x.dups[id]...)
}

func (x *pindex) location(b blobLoc) repository.Location {
	p := &x.packs[b.pack]
	return repository.Location{Pack: p.id, Kind: p.kind, Type: b.typ, Flags: b.flags, Offset: b.off, Length: b.length, RawLength: b.raw,
		GroupOffset: b.goff, GroupRaw: b.graw}
}

// chosen is the copy a snapshot is counted against: a pack that exists
// and is not doomed, the newest first (so after a repack the fresh copy
// wins and the old pack shows as unused).
func (x *pindex) chosen(id repository.ID) (blobLoc, bool) {
	var best blobLoc
	found, bestScore := false, -1
	for _, l := range x.locs(id) {
		p := &x.packs[l.pack]
		score := 0
		if p.exists {
			score += 2
		}
		if !p.doomed {
			score += 4
		}
		if score > bestScore || (score == bestScore && p.modTime.After(x.packs[best.pack].modTime)) {
			best, bestScore, found = l, score, true
		}
	}
	return best, found
}

// loadSegments lists the index and reads every segment not seen yet. It
// returns the names read; segments that vanish meanwhile (another
// compaction) are skipped.
func (x *pindex) loadSegments(ctx context.Context, repo *repository.Repository) ([]repository.ID, error) {
	names, err := repo.ListSegments(ctx, func(id repository.ID) bool { return x.seen[id] })
	if err != nil {
		return nil, err
	}
	segs, err := repo.LoadSegments(ctx, names)
	if err != nil {
		return nil, err
	}
	var read []repository.ID
	superseded := repository.Superseded(segs)
	for i, s := range segs {
		if s == nil {
			continue // compacted away since the listing
		}
		x.seen[names[i]] = true
		read = append(read, names[i])
		if superseded[names[i]] {
			continue // left over by an interrupted compaction: its successor has its live entries
		}
		for id, l := range s.Blobs {
			x.add(id, l)
		}
	}
	x.segments = append(x.segments, read...)
	return read, nil
}

// listPacks records which packs exist in storage, and returns those that
// no segment indexes.
func (x *pindex) listPacks(ctx context.Context, be storage.Backend) ([]packInfo, error) {
	var unindexed []packInfo
	for _, k := range []storage.Kind{storage.KindData, storage.KindMeta} {
		err := be.List(ctx, k, func(fi storage.Info) error {
			id, err := repository.ParseID(fi.Name)
			if err != nil {
				return nil
			}
			if i, ok := x.packPos[id]; ok {
				p := &x.packs[i]
				p.exists, p.size, p.modTime = true, fi.Size, fi.ModTime
				return nil
			}
			unindexed = append(unindexed, packInfo{id: id, kind: k, exists: true, size: fi.Size, modTime: fi.ModTime})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("listing %s packs: %w", k, err)
		}
	}
	return unindexed, nil
}
