package restore

import "bytes"

// SparseMode says which files restore leaves holes in.
type SparseMode int

const (
	// SparseAuto makes holes in the files the snapshot records as sparse
	// (they had holes on disk, or are the image of a device): the default.
	SparseAuto SparseMode = iota
	// SparseAlways makes holes in every file: its holes, and the zero
	// blocks of its data.
	SparseAlways
	// SparseNever makes none: holes are allocated as zeros.
	SparseNever
)

// sparse reports whether a file restores with holes.
func (m SparseMode) sparse(sparseOnDisk bool) bool {
	return m == SparseAlways || m == SparseAuto && sparseOnDisk
}

// zeroBlock is the unit in which restore leaves zeros of the data
// unwritten in sparse files: a page, the smallest hole filesystems keep.
const zeroBlock = 4096

var zeros [1 << 20]byte

// span is a hole's place in a file.
type span struct{ off, len int64 }

// pwriteSparse writes data at off in a file whose unwritten ranges read as
// zeros, leaving out data's zero blocks (the zeroBlock-aligned ones of the
// file). It returns how many bytes it left out and whether data's last
// byte was left out (then the file may need its size set).
func pwriteSparse(fd handle, data []byte, off int64) (skipped int64, tail bool, err error) {
	i := 0
	for i < len(data) {
		// the block at data[i] runs to the next zeroBlock multiple of the file
		next := min(len(data), i+zeroBlock-int((off+int64(i))%zeroBlock))
		if bytes.Equal(data[i:next], zeros[:next-i]) {
			skipped += int64(next - i)
			tail = next == len(data)
			i = next
			continue
		}
		j := next // extend the run of data blocks
		for j < len(data) {
			k := min(len(data), j+zeroBlock)
			if bytes.Equal(data[j:k], zeros[:k-j]) {
				break
			}
			j = k
		}
		if err := pwriteAll(fd, data[i:j], off+int64(i)); err != nil {
			return skipped, false, err
		}
		tail = false
		i = j
	}
	return skipped, tail, nil
}

func writeZeros(fd handle, s span) error {
	for s.len > 0 {
		n := min(s.len, int64(len(zeros)))
		if err := pwriteAll(fd, zeros[:n], s.off); err != nil {
			return err
		}
		s.off, s.len = s.off+n, s.len-n
	}
	return nil
}
