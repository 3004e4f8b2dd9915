//go:build !windows

package restore

import "golang.org/x/sys/unix"

// handle is a file restore writes to: a plain descriptor on unix.
type handle = int

// pwrite is one pwrite(2), repeated when a signal interrupts it.
func pwrite(fd handle, data []byte, off int64) (int, error) {
	for {
		n, err := unix.Pwrite(fd, data, off)
		if err != unix.EINTR {
			return n, err
		}
	}
}

func truncate(fd handle, size int64) error { return unix.Ftruncate(fd, size) }
func syncHandle(fd handle) error           { return unix.Fsync(fd) }
func closeHandle(fd handle) error          { return unix.Close(fd) }
