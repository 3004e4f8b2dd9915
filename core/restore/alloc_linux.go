package restore

import "golang.org/x/sys/unix"

// allocate makes a hole of a file that is not restored sparse into
// allocated zeros: fallocate where the filesystem has it, else written
// zeros.
func allocate(fd int, s span) error {
	err := unix.Fallocate(fd, 0, s.off, s.len)
	if err == unix.EOPNOTSUPP || err == unix.ENOSYS {
		return writeZeros(fd, s)
	}
	return err
}

// zeroDevice makes a range of a block device read as zeros: discarded
// (sparse, on devices that can: thin volumes, loop devices over files),
// else zeroed by the device (WRITE ZEROES), else written zeros.
func zeroDevice(fd int, s span, sparse bool) error {
	if sparse && unix.Fallocate(fd, unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, s.off, s.len) == nil {
		return nil
	}
	if unix.Fallocate(fd, unix.FALLOC_FL_ZERO_RANGE|unix.FALLOC_FL_KEEP_SIZE, s.off, s.len) == nil {
		return nil
	}
	return writeZeros(fd, s)
}
