package snapcopy

import (
	"context"
	"fmt"

	"github.com/savepoint-ci/savepoint/core/repository"
)

// copyUnit stores one source unit (a blob, or the blobs of one group the
// copy needs, in group order) in the destination as it is stored, when
// both repositories share the master key: the unit's sealed bytes move
// without decryption, decompression, compression or sealing. The source's
// tag is checked first (repository.CheckUnit); the blob IDs inside are
// checked by the destination's `verify --read-data`, as for any unit. It
// reports false, having stored nothing, when the unit must be decoded
// instead: the keys differ, the copy needs only some of a group's blobs
// (the others are in the destination already or not part of the copy),
// or the destination holds one of them.
func (c *copier) copyUnit(ctx context.Context, blobs []blobAt, stored []byte) (bool, error) {
	if !c.raw || !wholeUnit(blobs) {
		return false, nil
	}
	ids := make([]repository.ID, len(blobs))
	locs := make([]repository.Location, len(blobs))
	members := make([]repository.PackEntry, len(blobs))
	for i, b := range blobs {
		ids[i], locs[i] = b.id, b.loc
		members[i] = repository.PackEntry{ID: b.id, Type: b.loc.Type, Flags: b.loc.Flags, RawLength: b.loc.RawLength,
			GroupOffset: b.loc.GroupOffset, GroupRaw: b.loc.GroupRaw}
	}
	if err := c.src.CheckUnit(ids, locs, stored); err != nil {
		return false, fmt.Errorf("source: %w", err)
	}
	ok, err := c.dst.SaveUnit(ctx, members, stored)
	if err != nil {
		return false, fmt.Errorf("destination: %w", err)
	}
	if !ok {
		return false, nil
	}
	c.unitsRaw.Add(1)
	c.blobsRead.Add(int64(len(blobs)))
	for _, b := range blobs {
		c.counters.Bytes.Add(int64(b.loc.RawLength))
	}
	return true, nil
}

// wholeUnit reports whether blobs, sorted by group offset, are all the
// blobs of their unit: a single blob, or members whose plaintexts tile
// their group's from its start to its end (a group's members follow one
// another, docs/FORMAT.md).
func wholeUnit(blobs []blobAt) bool {
	l := blobs[0].loc
	if !l.Grouped() {
		return len(blobs) == 1
	}
	end := uint32(0)
	for _, b := range blobs {
		if b.loc.GroupOffset != end {
			return false
		}
		end += b.loc.RawLength
	}
	return end == l.GroupRaw
}
