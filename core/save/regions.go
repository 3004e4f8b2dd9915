package save

import (
	"bytes"
	"errors"
	"io"
	"math"
)

// HoleBlock is the unit of the holes save records: every run of whole
// zero blocks becomes a hole, blocks being the HoleBlock-aligned ranges of
// a file (its last block may be shorter). Shorter runs of zeros stay in the
// data. The rule depends on the bytes alone, so a disk image chunks the
// same whether its filesystem reports holes or it is read from a device.
const HoleBlock = 64 << 10

// window is how much of a file is read at a time: a whole number of blocks.
const window = 16 * HoleBlock

var zeroBlock [HoleBlock]byte

var (
	errNoExtents = errors.New("the filesystem does not report holes")
	errNoData    = errors.New("no data after this offset")
)

// regions reads a file as data regions separated by holes. Where the
// filesystem reports holes (SEEK_DATA), they are skipped without reading
// and the file's size at open bounds it; elsewhere the file is read to its
// end. In both cases all-zero blocks of the data become holes too: a
// comparison against a zero block, which stops at the first non-zero
// byte. Read gives the current region's data and io.EOF at its end; hole
// skips to the next region.
type regions struct {
	f       *rawFile
	extents bool  // the filesystem reports holes; size bounds the file
	size    int64 // with extents: the file's size at open
	// [data, dataEnd) is the filesystem's data extent at or after the read
	// position (with extents); data == size when no data follows.
	data, dataEnd int64
	buf           []byte
	off           int64 // file offset of buf[0], a multiple of HoleBlock
	n             int   // valid bytes in buf
	cur           int   // next unconsumed byte of buf
	nonZero       int   // buf[cur:nonZero] is known to be data
	eof           bool  // the file ends at off+n
	read          int64 // bytes read from the file (holes skipped are not)
}

// reset starts reading f; sparse says the filesystem may hold holes in it
// (fewer blocks allocated than its size), worth asking where they are.
func (r *regions) reset(f *rawFile, sparse bool) error {
	if r.buf == nil {
		r.buf = make([]byte, window)
	}
	*r = regions{f: f, buf: r.buf, data: 0, dataEnd: math.MaxInt64}
	if !sparse {
		return nil
	}
	size, err := f.size()
	if err != nil {
		return err
	}
	r.extents, r.size = true, size
	r.dataEnd = 0 // ask at the first fill
	return nil
}

// Read gives the current region's data; io.EOF where a zero block or the
// file's end ends it.
func (r *regions) Read(p []byte) (int, error) {
	if r.cur == r.n && !r.eof && !r.extents && len(p) >= HoleBlock {
		return r.readDirect(p)
	}
	if r.cur == r.n {
		if r.eof {
			return 0, io.EOF
		}
		if err := r.fill(); err != nil {
			return 0, err
		}
	}
	for r.nonZero < r.n {
		if r.nonZero%HoleBlock == 0 && r.zero(r.nonZero) {
			break
		}
		r.nonZero = min((r.nonZero/HoleBlock+1)*HoleBlock, r.n)
	}
	if r.nonZero == r.cur {
		return 0, io.EOF
	}
	k := copy(p, r.buf[r.cur:r.nonZero])
	r.cur += k
	return k, nil
}

// readDirect reads whole blocks straight into p, without the copy
// through buf: the common case of a file that holds no zero block. Should
// one turn up, the blocks from it on move to buf (as many as it holds;
// the rest is read again later), where hole and the next Reads find them.
func (r *regions) readDirect(p []byte) (int, error) {
	pos := r.off + int64(r.n)
	want := len(p) / HoleBlock * HoleBlock
	k, err := r.f.ReadAt(p[:want], pos)
	if err != nil && err != io.EOF {
		return 0, err
	}
	eof := k < want
	z := 0
	for z < k && !r.zeroAt(p, z, k) {
		z += min(HoleBlock, k-z)
	}
	kept := min(k-z, len(r.buf))
	copy(r.buf, p[z:z+kept])
	r.off, r.n, r.cur, r.nonZero = pos+int64(z), kept, 0, 0
	r.eof = eof && kept == k-z
	r.read += int64(z + kept)
	if z == 0 {
		return 0, io.EOF
	}
	return z, nil
}

// hole skips the zero blocks at the read position and returns their
// length; more reports whether data follows.
func (r *regions) hole() (length int64, more bool, err error) {
	for {
		if r.cur == r.n {
			if !r.eof && r.extents {
				length += r.skip()
			}
			if r.eof {
				return length, false, nil
			}
			if err := r.fill(); err != nil {
				return length, false, err
			}
			if r.n == 0 {
				return length, false, nil
			}
		}
		if !r.zero(r.cur) {
			r.nonZero = min(r.cur+HoleBlock, r.n)
			return length, true, nil
		}
		l := min(HoleBlock, r.n-r.cur)
		length += int64(l)
		r.cur += l
	}
}

// skip jumps over the filesystem's hole at the read position, if any,
// without reading it, to the block where its next data starts.
func (r *regions) skip() int64 {
	pos := r.off + int64(r.n)
	if pos >= r.dataEnd {
		r.locate(pos)
	}
	to := min(r.data/HoleBlock*HoleBlock, r.size)
	if to <= pos {
		return 0
	}
	r.off, r.n, r.cur, r.nonZero = to, 0, 0, 0
	r.eof = to >= r.size
	return to - pos
}

// locate asks the filesystem for the data extent at or after pos.
func (r *regions) locate(pos int64) {
	start, end, err := r.f.dataAt(pos)
	switch err {
	case nil:
		r.data, r.dataEnd = start, end
	case errNoData:
		r.data, r.dataEnd = r.size, math.MaxInt64
	default: // the filesystem cannot say after all: everything is data
		r.data, r.dataEnd = pos, math.MaxInt64
	}
}

// fill reads the window after the current one: the filesystem's holes in
// it are zeroed, not read.
func (r *regions) fill() error {
	pos := r.off + int64(r.n)
	want := int64(window)
	if r.extents {
		want = min(want, r.size-pos)
	}
	r.off, r.n, r.cur, r.nonZero = pos, 0, 0, 0
	if want <= 0 {
		r.eof = true
		return nil
	}
	for int64(r.n) < want {
		q := pos + int64(r.n)
		part := want - int64(r.n)
		if r.extents {
			if q >= r.dataEnd {
				r.locate(q)
			}
			if q < r.data {
				k := min(part, r.data-q)
				clear(r.buf[r.n : r.n+int(k)])
				r.n += int(k)
				continue
			}
			part = min(part, r.dataEnd-q)
		}
		k, err := r.f.ReadAt(r.buf[r.n:r.n+int(part)], q)
		r.n += k
		r.read += int64(k)
		if err == io.EOF || (err == nil && k < int(part)) {
			r.eof = true
			return nil
		}
		if err != nil {
			return err
		}
	}
	r.eof = r.extents && pos+int64(r.n) >= r.size
	return nil
}

// zero reports whether the block at buf[i] is all zeros.
func (r *regions) zero(i int) bool { return r.zeroAt(r.buf, i, r.n) }

// zeroAt reports whether the block at b[i], of the n valid bytes of b, is
// all zeros.
func (r *regions) zeroAt(b []byte, i, n int) bool {
	l := min(HoleBlock, n-i)
	return bytes.Equal(b[i:i+l], zeroBlock[:l])
}
