package restore

import "testing"

// UsePortableResolver makes the rest of the test restore through the
// portable O_NOFOLLOW walk instead of openat2.
func UsePortableResolver(t *testing.T) {
	old := forceWalk
	forceWalk = true
	t.Cleanup(func() { forceWalk = old })
}

// UseWindowsNames makes the rest of the test refuse what Windows cannot
// hold or would confuse, as a restore on Windows does.
func UseWindowsNames(t *testing.T) {
	old := windowsNames
	windowsNames = true
	t.Cleanup(func() { windowsNames = old })
}
