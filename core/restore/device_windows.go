package restore

import (
	"fmt"
	"os"
)

// openDevice opens path for writing an image: on Windows a regular file
// only (created if missing), emptied; disks and volumes are refused.
func openDevice(path string, _ int64) (*device, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %v", path, err)
	}
	fi, err := f.Stat()
	switch {
	case err != nil:
	case !fi.Mode().IsRegular():
		err = fmt.Errorf("%s %w (on Windows a restore writes an image to a file only)", path, ErrNotDevice)
	default:
		err = f.Truncate(0)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return &device{path: path, fd: f}, nil
}
