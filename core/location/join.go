package location

import (
	"path/filepath"
	"strings"
)

// Join returns the location of elem inside the location url: a
// subdirectory of a local path, a key prefix below an s3:// prefix, a
// repository path below an oci:// namespace. `savepoint serve` keeps each
// repository, and its own records, at such a sub-location of its storage.
func Join(url string, elem ...string) string {
	if Scheme(url) == "local" {
		if p, ok := strings.CutPrefix(url, "file://"); ok {
			return "file://" + filepath.Join(append([]string{p}, elem...)...)
		}
		return filepath.Join(append([]string{url}, elem...)...)
	}
	return strings.TrimRight(url, "/") + "/" + strings.Join(elem, "/")
}
