//go:build !unix

package testrepo

import "os"

// Owner: files have no unix owner here (Windows).
func Owner(os.FileInfo) (uid int, ok bool) { return 0, false }
