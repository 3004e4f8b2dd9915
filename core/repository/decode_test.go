package repository

import (
	"crypto/rand"
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
	for v := 1; v <= FormatVersion; v++ {
		seg, _ := encodeSegment(&Segment{Blobs: map[ID]Location{id: {Pack: id, Kind: storage.KindData, Type: DataBlob, Length: 10, RawLength: 10}}, Supersedes: []ID{id}}, v)
		f.Add(seg)
	}
	f.Add([]byte("SPX1\xff\xff\xff\xff"))
	f.Add([]byte("SPX1\x00\x00\x00\x00\xff\xff\xff\x03"))
	// A length field of 4 GiB: restore would allocate that much for the blob.
	huge, _ := encodeSegment(&Segment{Blobs: map[ID]Location{id: {Pack: id, Kind: storage.KindData, Type: DataBlob, Length: 1<<32 - 1, RawLength: 10}}}, 1)
	f.Add(huge)
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeSegment(b)
		if err == nil && s == nil {
			t.Fatal("nil segment without error")
		}
		if err == nil {
			for id, l := range s.Blobs {
				if l.Length > maxStoredBlob || l.RawLength > MaxBlobSize {
					t.Fatalf("blob %s: lengths beyond the caps: %+v", id.Short(), l)
				}
			}
		}
	})
}

func FuzzParsePackHeader(f *testing.F) {
	s, _ := crypto.NewSealer([32]byte{}, false)
	var b packBuilder
	b.add(PackEntry{Type: DataBlob, RawLength: 3}, []byte("abc"))
	data, _ := b.finish(s)
	f.Add(data)
	v2 := packBuilder{version: 2}
	v2.add(PackEntry{Type: DataBlob, RawLength: 3}, []byte("abc"))
	v2.addSealedGroup([]PackEntry{{Type: DataBlob, RawLength: 2}, {Type: DataBlob, RawLength: 1, GroupOffset: 2}}, 0, 3, s, []byte("xyz"))
	data, _ = v2.finish(s)
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := parsePackHeader(s, data, int64(len(data)))
		if err == nil {
			for _, e := range entries {
				if int64(e.Offset)+int64(e.Length) > int64(len(data)) || e.RawLength > MaxBlobSize {
					t.Fatalf("entry beyond the pack: %+v", e)
				}
			}
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
	enc, err := encodeSegment(seg, 1)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeSegment(enc)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Blobs) != 100 {
		t.Fatalf("%d blobs", len(got.Blobs))
	}
	for id, l := range seg.Blobs {
		if got.Blobs[id] != l {
			t.Fatalf("blob %s: %+v != %+v", id.Short(), got.Blobs[id], l)
		}
	}
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
	enc, err := encodeSegment(seg, 2)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeSegment(enc)
	if err != nil {
		t.Fatal(err)
	}
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
