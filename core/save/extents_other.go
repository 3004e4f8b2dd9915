//go:build unix && !linux

package save

// dataAt: only Linux's SEEK_DATA is used; elsewhere holes are found by
// reading (zero blocks).
func (f *rawFile) dataAt(off int64) (int64, int64, error) { return 0, 0, errNoExtents }
