package repository

import (
	"crypto/rand"
	"testing"

	"github.com/savepoint-ci/savepoint/core/crypto"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// Hostile or damaged bytes must give errors, never panics or huge allocations.
func FuzzDecodeSegment(f *testing.F) {
	var id ID
	rand.Read(id[:])
	for v := 1; v <= FormatVersion; v++ {
		seg, _ := encodeSegment(&Segment{Blobs: map[ID]Location{id: {Pack: id, Kind: storage.KindData, Type: DataBlob, Length: 10, RawLength: 10}}, Supersedes: []ID{id}}, v)
		f.Add(seg)
	}
	f.Add([]byte("SPX1\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeSegment(b)
		if err == nil && s == nil {
			t.Fatal("nil segment without error")
		}
	})
}

func FuzzParsePackHeader(f *testing.F) {
	s, _ := crypto.NewSealer([32]byte{}, false)
	var b packBuilder
	b.add(PackEntry{Type: DataBlob, RawLength: 3}, []byte("abc"))
	data, _ := b.finish(s)
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := parsePackHeader(s, data, int64(len(data)))
		if err == nil {
			for _, e := range entries {
				if int64(e.Offset)+int64(e.Length) > int64(len(data)) {
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
