//go:build !linux && !windows

package restore

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// futimens sets an open file's atime and mtime to ns through /dev/fd.
func futimens(fd int, ns int64) error {
	ts := []unix.Timespec{unix.NsecToTimespec(ns), unix.NsecToTimespec(ns)}
	return unix.UtimesNanoAt(unix.AT_FDCWD, fmt.Sprintf("/dev/fd/%d", fd), ts, 0)
}
