//go:build !windows

package restore

import (
	"fmt"
	"io"

	"golang.org/x/sys/unix"
)

// openDevice opens path for writing an image of size bytes: a block
// device exclusively, a file (created if missing) emptied.
func openDevice(path string, size int64) (*device, error) {
	var st unix.Stat_t
	err := unix.Stat(path, &st)
	flags := unix.O_WRONLY | unix.O_CLOEXEC
	switch {
	case err == unix.ENOENT:
		flags |= unix.O_CREAT | unix.O_EXCL
	case err != nil:
		return nil, fmt.Errorf("%s: %v", path, err)
	case st.Mode&unix.S_IFMT == unix.S_IFBLK:
		flags |= unix.O_EXCL // exclusive: not while mounted
	}
	fd, err := unix.Open(path, flags, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %v", path, err)
	}
	d := &device{path: path, fd: fd}
	if err = unix.Fstat(fd, &st); err == nil {
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFBLK:
			d.block = true
			var n int64
			if n, err = unix.Seek(fd, 0, io.SeekEnd); err == nil && n < size {
				err = fmt.Errorf("%w: %s holds %d bytes, the image %d", ErrDeviceTooSmall, path, n, size)
			}
		case unix.S_IFREG:
			err = unix.Ftruncate(fd, 0)
		default:
			err = fmt.Errorf("%s %w", path, ErrNotDevice)
		}
	}
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	return d, nil
}
