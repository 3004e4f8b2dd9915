package repository

import (
	"encoding/binary"
	"fmt"
	"iter"
	"maps"
	"slices"
	"sync"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// Location says where a blob is stored.
type Location struct {
	Pack      ID
	Kind      storage.Kind // storage.KindData or storage.KindMeta
	Type      BlobType
	Flags     uint8
	Offset    uint32
	Length    uint32
	RawLength uint32
	// A blob in a compression group (Flags&FlagGrouped, format version 2):
	// Offset and Length locate the whole group in the pack, GroupOffset is
	// where the blob starts in the group's plaintext, GroupRaw that
	// plaintext's length. Zero otherwise.
	GroupOffset uint32
	GroupRaw    uint32
}

// entry is the compact in-memory form of a Location (about 110 bytes per
// blob with the map's overhead).
type entry struct {
	pack        uint32
	offset      uint32
	length      uint32
	rawLength   uint32
	groupOffset uint32
	groupRaw    uint32
	typ         BlobType
	flags       uint8
}

func (x *Index) location(e entry) Location {
	return Location{x.packs[e.pack], x.packKind[e.pack], e.typ, e.flags, e.offset, e.length, e.rawLength, e.groupOffset, e.groupRaw}
}

// Index maps blob IDs to their locations. It is the merge of every index
// segment read plus what this session wrote. Safe for concurrent use.
type Index struct {
	mu       sync.RWMutex
	packs    []ID
	packKind []storage.Kind
	packPos  map[ID]uint32
	blobs    map[ID]entry
	// doomed packs are scheduled for deletion by prune (a deletion intent):
	// their blobs can still be read but never deduplicated against.
	doomed map[ID]bool
}

func newIndex() *Index {
	return &Index{packPos: map[ID]uint32{}, blobs: map[ID]entry{}}
}

func (x *Index) packIndex(pack ID, kind storage.Kind) uint32 {
	if i, ok := x.packPos[pack]; ok {
		return i
	}
	i := uint32(len(x.packs))
	x.packs = append(x.packs, pack)
	x.packKind = append(x.packKind, kind)
	x.packPos[pack] = i
	return i
}

// Add records a blob's location; an ID already known keeps its first
// location, unless that one is in a doomed pack and l is not.
func (x *Index) Add(id ID, l Location) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if e, ok := x.blobs[id]; ok && !(x.doomed[x.packs[e.pack]] && !x.doomed[l.Pack]) {
		return
	}
	x.blobs[id] = entry{x.packIndex(l.Pack, l.Kind), l.Offset, l.Length, l.RawLength, l.GroupOffset, l.GroupRaw, l.Type, l.Flags}
}

// Has reports whether a blob is indexed in a pack that is not doomed by a
// deletion intent: whether a writer may deduplicate against it.
func (x *Index) Has(id ID) bool {
	x.mu.RLock()
	e, ok := x.blobs[id]
	if ok && len(x.doomed) > 0 && x.doomed[x.packs[e.pack]] {
		ok = false
	}
	x.mu.RUnlock()
	return ok
}

// SetDoomed marks packs as scheduled for deletion (see Has).
func (x *Index) SetDoomed(packs []ID) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.doomed == nil {
		x.doomed = map[ID]bool{}
	}
	for _, p := range packs {
		x.doomed[p] = true
	}
}

// Lookup returns where a blob is stored.
func (x *Index) Lookup(id ID) (Location, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	e, ok := x.blobs[id]
	if !ok {
		return Location{}, false
	}
	return x.location(e), true
}

// Len is the number of indexed blobs.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.blobs)
}

// Each calls fn for every indexed blob, under a read lock (fn must not call
// back into the index).
func (x *Index) Each(fn func(ID, Location)) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	for id, e := range x.blobs {
		fn(id, x.location(e))
	}
}

// Index segment plaintext (sealed as a whole, docs/FORMAT.md):
//
//	"SPX1" | packs u32 | packs × (id[32] kind u8) | blobs u32 |
//	blobs × (id[32] pack u32 offset u32 length u32 rawLength u32 type u8 flags u8) |
//	supersedes u32 | supersedes × name[32]
//
// Format version 2 writes "SPX2", whose blob entries end with
// groupOffset u32 groupRaw u32 (see Location).
const (
	segmentMagic     = "SPX1"
	segmentMagicV2   = "SPX2"
	segmentBlobSize  = 32 + 4*4 + 2
	segmentKindData  = 1
	segmentKindMeta  = 2
	maxSegmentCounts = 1 << 26
)

// Segment is one index segment: the blobs some packs hold, and the names of
// older segments it replaces (written by index compaction).
type Segment struct {
	Blobs      map[ID]Location
	Supersedes []ID
}

// encodeSegment encodes s in the segment format of repository format
// version (1 or 2). Version 1 cannot hold grouped blobs.
func encodeSegment(s *Segment, version int) ([]byte, error) {
	return appendSegment(nil, len(s.Blobs), maps.All(s.Blobs), s.Supersedes, version)
}

// appendSegment appends the encoding of a segment to dst. blobs is read
// twice (pack table, then entries); n is how many it holds, for the
// allocation.
func appendSegment(dst []byte, n int, blobs iter.Seq2[ID, Location], supersedes []ID, version int) ([]byte, error) {
	magic, blobSize := segmentMagic, segmentBlobSize
	if version >= 2 {
		magic, blobSize = segmentMagicV2, segmentBlobSize+8
	}
	packPos := map[ID]uint32{}
	var packs []ID
	var kinds []storage.Kind
	for id, l := range blobs {
		if version < 2 && l.Flags&^flagCompressed != 0 {
			return nil, fmt.Errorf("blob %s has flags %#x, which a version 1 index cannot hold", id, l.Flags)
		}
		if _, ok := packPos[l.Pack]; !ok {
			packPos[l.Pack] = uint32(len(packs))
			packs = append(packs, l.Pack)
			kinds = append(kinds, l.Kind)
		}
	}
	out := slices.Grow(dst, 16+len(packs)*33+n*blobSize+len(supersedes)*32)
	out = append(out, magic...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(packs)))
	for i, p := range packs {
		out = append(out, p[:]...)
		k := byte(segmentKindData)
		if kinds[i] == storage.KindMeta {
			k = segmentKindMeta
		}
		out = append(out, k)
	}
	countAt := len(out)
	out = binary.LittleEndian.AppendUint32(out, 0) // the count, set below
	n = 0
	for id, l := range blobs {
		if _, ok := packPos[l.Pack]; !ok {
			continue // added since the first pass: in no pack of the table
		}
		n++
		out = append(out, id[:]...)
		out = binary.LittleEndian.AppendUint32(out, packPos[l.Pack])
		out = binary.LittleEndian.AppendUint32(out, l.Offset)
		out = binary.LittleEndian.AppendUint32(out, l.Length)
		out = binary.LittleEndian.AppendUint32(out, l.RawLength)
		out = append(out, byte(l.Type), l.Flags)
		if version >= 2 {
			out = binary.LittleEndian.AppendUint32(out, l.GroupOffset)
			out = binary.LittleEndian.AppendUint32(out, l.GroupRaw)
		}
	}
	binary.LittleEndian.PutUint32(out[countAt:], uint32(n))
	out = binary.LittleEndian.AppendUint32(out, uint32(len(supersedes)))
	for _, n := range supersedes {
		out = append(out, n[:]...)
	}
	return out, nil
}

func decodeSegment(b []byte) (*Segment, error) { return decodeSegmentFunc(b, nil) }

// decodeSegmentFunc decodes a segment. With add, its blobs go to add, not
// into the Segment's map: the index of a million blobs is read without a
// second copy of it in Locations (~140 MB).
func decodeSegmentFunc(b []byte, add func(ID, Location)) (*Segment, error) {
	bad := func(what string) (*Segment, error) {
		return nil, fmt.Errorf("index segment %s: %w", what, ErrCorrupted)
	}
	if len(b) < 8 || (string(b[:4]) != segmentMagic && string(b[:4]) != segmentMagicV2) {
		return bad("magic")
	}
	v2, blobSize := string(b[:4]) == segmentMagicV2, segmentBlobSize
	if v2 {
		blobSize += 8
	}
	b = b[4:]
	n := binary.LittleEndian.Uint32(b)
	b = b[4:]
	if n > maxSegmentCounts || uint64(len(b)) < uint64(n)*33 {
		return bad("pack table")
	}
	packs := make([]ID, n)
	kinds := make([]storage.Kind, n)
	for i := range packs {
		copy(packs[i][:], b[:32])
		switch b[32] {
		case segmentKindData:
			kinds[i] = storage.KindData
		case segmentKindMeta:
			kinds[i] = storage.KindMeta
		default:
			return bad("pack kind")
		}
		b = b[33:]
	}
	if len(b) < 4 {
		return bad("blob count")
	}
	m := binary.LittleEndian.Uint32(b)
	b = b[4:]
	if m > maxSegmentCounts || uint64(len(b)) < uint64(m)*uint64(blobSize) {
		return bad("blob table")
	}
	s := &Segment{}
	if add == nil {
		s.Blobs = make(map[ID]Location, m)
		add = func(id ID, l Location) { s.Blobs[id] = l }
	}
	for i := uint32(0); i < m; i++ {
		var id ID
		copy(id[:], b[:32])
		p := binary.LittleEndian.Uint32(b[32:])
		if p >= n {
			return bad("pack reference")
		}
		l := Location{
			Pack: packs[p], Kind: kinds[p],
			Offset:    binary.LittleEndian.Uint32(b[36:]),
			Length:    binary.LittleEndian.Uint32(b[40:]),
			RawLength: binary.LittleEndian.Uint32(b[44:]),
			Type:      BlobType(b[48]),
			Flags:     b[49],
		}
		if l.Type != DataBlob && l.Type != TreeBlob {
			return bad("blob type")
		}
		if l.Length > maxStoredBlob || l.RawLength > MaxBlobSize {
			return bad("blob length") // readers allocate Length bytes
		}
		if v2 {
			l.GroupOffset = binary.LittleEndian.Uint32(b[50:])
			l.GroupRaw = binary.LittleEndian.Uint32(b[54:])
		}
		if err := checkFlags(l, v2); err != nil {
			return bad(err.Error()) // caps GroupRaw and the blob's place in it
		}
		add(id, l)
		b = b[blobSize:]
	}
	if len(b) < 4 {
		return bad("supersedes count")
	}
	k := binary.LittleEndian.Uint32(b)
	b = b[4:]
	if uint64(len(b)) != uint64(k)*32 {
		return bad("supersedes table")
	}
	for i := uint32(0); i < k; i++ {
		var id ID
		copy(id[:], b[:32])
		s.Supersedes = append(s.Supersedes, id)
		b = b[32:]
	}
	return s, nil
}
