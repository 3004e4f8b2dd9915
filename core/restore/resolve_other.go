//go:build !linux && !windows

package restore

import "golang.org/x/sys/unix"

// dirOnly opens a directory only to resolve names relative to it.
const dirOnly = unix.O_RDONLY | unix.O_DIRECTORY

var forceWalk bool

// newResolver returns the portable walk: openat2 is Linux's.
func newResolver(int) resolver { return walk{} }
