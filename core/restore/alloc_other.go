//go:build !linux

package restore

// allocate fills a hole with written zeros (fallocate is Linux's).
func allocate(fd handle, s span) error { return writeZeros(fd, s) }

// zeroDevice writes zeros over a range of a device.
func zeroDevice(fd handle, s span, sparse bool) error { return writeZeros(fd, s) }
