package repository

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/savepoint-ci/savepoint/core/crypto"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// Hostile or damaged bytes must give errors, never panics or huge
// allocations (see fuzz_test.go for the other stored objects).
func FuzzDecodeSegment(f *testing.F) {
	var id ID
	rand.Read(id[:])
	seg := func(v int, l Location) []byte {
		l.Pack, l.Kind = id, storage.KindData
		b, err := encodeSegment(&Segment{Blobs: map[ID]Location{id: l}, Supersedes: []ID{id}}, v)
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	for v := 1; v <= FormatVersion; v++ {
		f.Add(seg(v, Location{Type: DataBlob, Length: 10, RawLength: 10}))
		// A length field of 4 GiB: restore would allocate that much for the blob.
		f.Add(seg(v, Location{Type: DataBlob, Length: 1<<32 - 1, RawLength: 10}))
	}
	// Version 2: a grouped blob, then group fields a reader must not trust
	// (a group of 4 GiB, a blob past its group's end, offsets that wrap).
	f.Add(seg(2, Location{Type: DataBlob, Flags: FlagGrouped | flagCompressed, Length: 50, RawLength: 10, GroupOffset: 20, GroupRaw: 100}))
	f.Add(seg(2, Location{Type: DataBlob, Flags: FlagGrouped, Length: 50, RawLength: 10, GroupOffset: 0, GroupRaw: 1<<32 - 1}))
	f.Add(seg(2, Location{Type: DataBlob, Flags: FlagGrouped, Length: 50, RawLength: 10, GroupOffset: 95, GroupRaw: 100}))
	f.Add(seg(2, Location{Type: DataBlob, Flags: FlagGrouped, Length: 50, RawLength: 1<<32 - 1, GroupOffset: 2, GroupRaw: 100}))
	f.Add(seg(2, Location{Type: DataBlob, Length: 50, RawLength: 10, GroupOffset: 3}))
	f.Add([]byte("SPX1\xff\xff\xff\xff"))
	f.Add([]byte("SPX1\x00\x00\x00\x00\xff\xff\xff\x03"))
	f.Add([]byte("SPX2\x00\x00\x00\x00\xff\xff\xff\x03"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeSegment(b)
		if err == nil && s == nil {
			t.Fatal("nil segment without error")
		}
		if err == nil {
			for id, l := range s.Blobs {
				checkCaps(t, id, l)
			}
		}
	})
}

// checkCaps fails when a decoded location has a length a reader would
// allocate beyond the caps, or a grouped blob's place is outside its group.
func checkCaps(t *testing.T, id ID, l Location) {
	t.Helper()
	if l.Length > maxStoredBlob || l.RawLength > MaxBlobSize {
		t.Fatalf("blob %s: lengths beyond the caps: %+v", id.Short(), l)
	}
	if l.Grouped() && (l.GroupRaw > MaxBlobSize || uint64(l.GroupOffset)+uint64(l.RawLength) > uint64(l.GroupRaw)) {
		t.Fatalf("blob %s: outside its group or group beyond the cap: %+v", id.Short(), l)
	}
	if !l.Grouped() && (l.GroupOffset != 0 || l.GroupRaw != 0) {
		t.Fatalf("blob %s: group fields outside a group: %+v", id.Short(), l)
	}
}

// rawPack is a pack of body bytes whose header is hdr as given, sealed by
// s, with the trailer's magic: a header no writer would make.
func rawPack(s *crypto.Sealer, body, hdr []byte, magic string) []byte {
	sealed := s.Seal(nil, hdr)
	out := append(append([]byte(nil), body...), sealed...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(sealed)))
	return append(out, magic...)
}

// v2Unit is a v2 header's unit: type, flags, stored and raw lengths.
func v2Unit(typ, flags uint8, stored, raw uint32) []byte {
	b := []byte{typ, flags}
	b = binary.LittleEndian.AppendUint32(b, stored)
	return binary.LittleEndian.AppendUint32(b, raw)
}

// packSeeds are packs for the pack header fuzz targets: well-formed ones of
// both versions, and v2 headers whose lengths must be refused.
func packSeeds(s *crypto.Sealer) [][]byte {
	var b packBuilder
	b.add(PackEntry{Type: DataBlob, RawLength: 3}, []byte("abc"))
	b.add(PackEntry{Type: TreeBlob, RawLength: 2}, []byte("{}"))
	v1, _ := b.finish(s)
	v2 := packBuilder{version: 2}
	v2.add(PackEntry{Type: DataBlob, RawLength: 3}, []byte("abc"))
	v2.addSealedGroup([]PackEntry{{Type: DataBlob, RawLength: 2}, {Type: DataBlob, RawLength: 1, GroupOffset: 2}}, 0, 3, s, []byte("xyz"))
	good, _ := v2.finish(s)
	hdr := func(units uint32, parts ...[]byte) []byte {
		h := binary.LittleEndian.AppendUint32([]byte(packHeaderMagicV2), units)
		for _, p := range parts {
			h = append(h, p...)
		}
		return h
	}
	member := func(raw uint32) []byte {
		m := binary.LittleEndian.AppendUint32([]byte{byte(DataBlob), 0}, raw)
		return append(m, make([]byte, 32)...)
	}
	count := func(n uint32) []byte { return binary.LittleEndian.AppendUint32(nil, n) }
	body := make([]byte, 64)
	return [][]byte{
		v1, good,
		// A single blob of 4 GiB stored and raw.
		rawPack(s, body, hdr(1, v2Unit(byte(DataBlob), 0, 1<<32-1, 1<<32-1), make([]byte, 32)), packMagicV2),
		rawPack(s, body, hdr(1, v2Unit(byte(DataBlob), 0, 8, 1<<32-1), make([]byte, 32)), packMagicV2),
		// A group of 4 GiB whose members add up to it.
		rawPack(s, body, hdr(1, v2Unit(unitGroup, 1, 8, 1<<32-2), count(2), member(1<<31-1), member(1<<31-1)), packMagicV2),
		// A group whose member count is larger than its header.
		rawPack(s, body, hdr(1, v2Unit(unitGroup, 0, 8, 3), count(1<<30), member(3)), packMagicV2),
		// Members past their group's plaintext.
		rawPack(s, body, hdr(1, v2Unit(unitGroup, 0, 8, 3), count(2), member(3), member(3)), packMagicV2),
		// More units than the header holds.
		rawPack(s, body, hdr(1<<31), packMagicV2),
	}
}

func FuzzParsePackHeader(f *testing.F) {
	s, _ := crypto.NewSealer([32]byte{}, false)
	for _, p := range packSeeds(s) {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := parsePackHeader(s, data, int64(len(data)))
		if err == nil {
			checkEntries(t, entries, len(data))
		}
	})
}

// checkEntries fails when parsed pack entries point outside the pack or
// carry lengths beyond the caps.
func checkEntries(t *testing.T, entries []PackEntry, packSize int) {
	t.Helper()
	for _, e := range entries {
		if int64(e.Offset)+int64(e.Length) > int64(packSize) {
			t.Fatalf("entry beyond the pack: %+v", e)
		}
		checkCaps(t, e.ID, e.location(ID{}, storage.KindData))
	}
}

// FuzzDecodeGroup reads a grouped blob out of hostile stored bytes at an
// index entry that passed the index's checks: the group's size and the
// blob's place in it come from storage, so nothing may be allocated or
// sliced beyond what they justify once checked.
func FuzzDecodeGroup(f *testing.F) {
	r, _ := plainRepo(f)
	group := []byte("first blob|second blob")
	comp, _ := r.codec.compress(nil, group, 2)
	f.Add(group, uint32(11), uint32(11), uint32(len(group)), false)
	f.Add(comp, uint32(0), uint32(10), uint32(len(group)), true)
	f.Add(comp, uint32(0), uint32(10), uint32(MaxBlobSize), true)
	f.Add(comp, uint32(1<<32-8), uint32(10), uint32(len(group)), true)
	f.Add(group, uint32(20), uint32(1<<32-1), uint32(len(group)), false)
	f.Fuzz(func(t *testing.T, stored []byte, goff, raw, graw uint32, compressed bool) {
		l := Location{Kind: storage.KindData, Type: DataBlob, Flags: FlagGrouped, Length: uint32(len(stored)),
			RawLength: raw, GroupOffset: goff, GroupRaw: graw}
		if compressed {
			l.Flags |= flagCompressed
		}
		if checkFlags(l, true) != nil {
			return // the index refuses it before any read
		}
		var id ID
		if end := uint64(goff) + uint64(raw); end <= uint64(len(group)) && !compressed && string(stored) == string(group) {
			id = r.Hash(group[goff:end])
		}
		var c GroupCache
		plain, err := r.DecodeBlobCached(&c, id, l, stored, nil)
		if err == nil && uint32(len(plain)) != raw {
			t.Fatalf("%d bytes for a blob of %d", len(plain), raw)
		}
		if _, err := r.DecodeBlob(id, l, stored, nil); (err == nil) != (plain != nil) {
			t.Fatalf("DecodeBlob and DecodeBlobCached disagree: %v", err)
		}
	})
}

func TestSegmentRoundTrip(t *testing.T) {
	seg := &Segment{Blobs: map[ID]Location{}}
	for i := 0; i < 100; i++ {
		var id, pack ID
		rand.Read(id[:])
		pack[0] = byte(i % 7)
		kind := storage.KindData
		typ := DataBlob
		if i%3 == 0 {
			kind, typ = storage.KindMeta, TreeBlob
			pack[1] = 1 // a pack holds one kind
		}
		seg.Blobs[id] = Location{Pack: pack, Kind: kind, Type: typ, Flags: flagCompressed, Offset: uint32(i), Length: uint32(i + 1), RawLength: uint32(2 * i)}
	}
	got := roundTrip(t, seg, 1)
	if len(got.Blobs) != 100 {
		t.Fatalf("%d blobs", len(got.Blobs))
	}
	for id, l := range seg.Blobs {
		if got.Blobs[id] != l {
			t.Fatalf("blob %s: %+v != %+v", id.Short(), got.Blobs[id], l)
		}
	}
}

// roundTrip encodes seg in the segment format of version and decodes it.
func roundTrip(t *testing.T, seg *Segment, version int) *Segment {
	t.Helper()
	enc, err := encodeSegment(seg, version)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeSegment(enc)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestSegmentV2RoundTrip(t *testing.T) {
	var pack, a, b ID
	rand.Read(pack[:])
	rand.Read(a[:])
	rand.Read(b[:])
	seg := &Segment{Blobs: map[ID]Location{
		a: {Pack: pack, Kind: storage.KindData, Type: DataBlob, Flags: flagCompressed | FlagGrouped, Offset: 10, Length: 99, RawLength: 40, GroupOffset: 60, GroupRaw: 100},
		b: {Pack: pack, Kind: storage.KindData, Type: DataBlob, Flags: flagCompressed, Offset: 109, Length: 20, RawLength: 30},
	}}
	got := roundTrip(t, seg, 2)
	for id, l := range seg.Blobs {
		if got.Blobs[id] != l {
			t.Fatalf("%+v != %+v", got.Blobs[id], l)
		}
	}
	if _, err := encodeSegment(seg, 1); err == nil {
		t.Fatal("a version 1 segment cannot hold a grouped blob")
	}
	// Unknown flag bits and blobs outside their group are refused.
	for name, l := range map[string]Location{
		"flags":  {Pack: pack, Kind: storage.KindData, Type: DataBlob, Flags: 1 << 5, Length: 1, RawLength: 1},
		"bounds": {Pack: pack, Kind: storage.KindData, Type: DataBlob, Flags: FlagGrouped, Length: 1, RawLength: 50, GroupOffset: 60, GroupRaw: 100},
	} {
		enc, _ := encodeSegment(&Segment{Blobs: map[ID]Location{a: l}}, 2)
		if _, err := decodeSegment(enc); !errors.Is(err, ErrCorrupted) {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

// A v2 pack header lists groups as units; parsing gives one entry per blob.
func TestPackHeaderV2Groups(t *testing.T) {
	s, _ := crypto.NewSealer([32]byte{}, false)
	b := packBuilder{version: 2}
	b.add(PackEntry{Type: DataBlob, RawLength: 3, ID: ID{1}}, []byte("abc"))
	b.addSealedGroup([]PackEntry{{Type: DataBlob, RawLength: 2, ID: ID{2}}, {Type: DataBlob, RawLength: 1, GroupOffset: 2, ID: ID{3}}}, 0, 3, s, []byte("xyz"))
	data, _ := b.finish(s)
	entries, err := parsePackHeader(s, data, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	want := []PackEntry{
		{ID: ID{1}, Type: DataBlob, Offset: 0, Length: 3, RawLength: 3},
		{ID: ID{2}, Type: DataBlob, Flags: FlagGrouped, Offset: 3, Length: 3, RawLength: 2, GroupRaw: 3},
		{ID: ID{3}, Type: DataBlob, Flags: FlagGrouped, Offset: 3, Length: 3, RawLength: 1, GroupOffset: 2, GroupRaw: 3},
	}
	if len(entries) != len(want) {
		t.Fatalf("%d entries", len(entries))
	}
	for i := range want {
		if entries[i] != want[i] {
			t.Fatalf("entry %d: %+v, want %+v", i, entries[i], want[i])
		}
	}
}
