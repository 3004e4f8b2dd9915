//go:build !unix

package save

import (
	"io"
	"os"
)

func openRaw(name string) (io.ReadCloser, error) { return os.Open(name) }
