package repository

import (
	"context"
	"iter"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// sessionIndex collects the blobs a writer session stored, for its index
// segment. It keeps them compactly (~60 bytes a blob in a slice, where a
// map of Locations took ~130), since a save of a million files holds a
// million of them until Flush.
type sessionIndex struct {
	packs   []ID
	kinds   []storage.Kind
	packPos map[ID]uint32
	blobs   []sessionBlob
}

type sessionBlob struct {
	id ID
	e  entry
}

func (s *sessionIndex) add(id ID, l Location) {
	if s.packPos == nil {
		s.packPos = map[ID]uint32{}
	}
	p, ok := s.packPos[l.Pack]
	if !ok {
		p = uint32(len(s.packs))
		s.packs = append(s.packs, l.Pack)
		s.kinds = append(s.kinds, l.Kind)
		s.packPos[l.Pack] = p
	}
	s.blobs = append(s.blobs, sessionBlob{id, entry{p, l.Offset, l.Length, l.RawLength, l.GroupOffset, l.GroupRaw, l.Type, l.Flags}})
}

// all yields every blob with its location.
func (s *sessionIndex) all() iter.Seq2[ID, Location] {
	return func(yield func(ID, Location) bool) {
		for _, b := range s.blobs {
			e := b.e
			if !yield(b.id, Location{s.packs[e.pack], s.kinds[e.pack], e.typ, e.flags, e.offset, e.length, e.rawLength, e.groupOffset, e.groupRaw}) {
				return
			}
		}
	}
}

// saveSegment encodes, seals and stores an index segment of n blobs. It
// encodes behind room for the nonce and seals in place: a segment of a
// million blobs is 58 MB, and one copy of it is enough.
func (r *Repository) saveSegment(ctx context.Context, n int, blobs iter.Seq2[ID, Location], supersedes []ID) (ID, error) {
	head := r.sealer.NonceSize()
	buf, err := appendSegment(make([]byte, head, head+64+n*(segmentBlobSize+8)+r.sealer.Overhead()), n, blobs, supersedes, r.cfg.Version)
	if err != nil {
		return ID{}, err
	}
	return r.SaveObject(ctx, storage.KindIndex, r.sealer.Seal(buf[:0], buf[head:]))
}
