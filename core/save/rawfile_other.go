//go:build !unix

package save

import "os"

type rawFile struct{ *os.File }

func openRaw(name string) (*rawFile, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return &rawFile{f}, nil
}

func (f *rawFile) size() (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

func (f *rawFile) dataAt(off int64) (int64, int64, error) { return 0, 0, errNoExtents }
