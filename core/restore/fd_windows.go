package restore

import "os"

// handle is a file restore writes to: an os.File on Windows, opened
// beneath the target's os.Root.
type handle = *os.File

func pwrite(f handle, data []byte, off int64) (int, error) { return f.WriteAt(data, off) }
func truncate(f handle, size int64) error                  { return f.Truncate(size) }
func syncHandle(f handle) error                            { return f.Sync() }
func closeHandle(f handle) error                           { return f.Close() }
