package save

import (
	"errors"

	"golang.org/x/sys/unix"
)

// dataAt asks the filesystem where data is: the extent [start, end) at or
// after off (lseek SEEK_DATA, then SEEK_HOLE). With no data after off it
// returns errNoData; errNoExtents when the filesystem cannot say (block
// devices, some network and FUSE filesystems).
func (f *rawFile) dataAt(off int64) (start, end int64, err error) {
	start, err = unix.Seek(f.fd, off, unix.SEEK_DATA)
	if errors.Is(err, unix.ENXIO) {
		return 0, 0, errNoData
	}
	if err == nil {
		end, err = unix.Seek(f.fd, start, unix.SEEK_HOLE)
	}
	if err != nil {
		return 0, 0, errNoExtents
	}
	return start, end, nil
}
