//go:build !unix

package save

import "os"

// sparseOnDisk reports no holes where the file system's allocated size is
// not read (Windows: FSCTL_QUERY_ALLOCATED_RANGES is not asked). Such a
// file is saved whole, its zeros as data; it is not recorded as sparse,
// so restore allocates it unless --sparse=always.
func sparseOnDisk(os.FileInfo) bool { return false }
