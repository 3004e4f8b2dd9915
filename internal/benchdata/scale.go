package benchdata

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// The scale datasets: many small files (core/save's TestMillionFilesMemory
// and bench/scale) and one large incompressible file (bench/scale). Both
// are regenerated from their index or seed, so a restore can be compared
// with the generator after the source was deleted.

// SmallFile is the i-th file of the many-small-files tree: its directory
// (1,000 files per directory), its name and its content (100-300 bytes of
// text, distinct for every i).
func SmallFile(i int) (dir, name string, data []byte) {
	dir = fmt.Sprintf("d%04d", i/1000)
	name = fmt.Sprintf("f%07d.txt", i)
	data = append([]byte(fmt.Sprintf("file %d\n", i)), Text(uint64(i), 100+i%200)...)
	return dir, name, data
}

// SmallFiles writes files 0..n-1 of the small-files tree into dir.
func SmallFiles(dir string, n int) error {
	for i := 0; i < n; i++ {
		sub, name, data := SmallFile(i)
		if i%1000 == 0 {
			if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
				return err
			}
		}
		if err := os.WriteFile(filepath.Join(dir, sub, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// RandomStream returns size deterministic incompressible bytes for a seed,
// generated as they are read (a 10 GB file never sits in memory). The same
// seed gives the same stream whatever the reads' sizes.
func RandomStream(seedN uint64, size int64) io.Reader {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seedN)
	return io.LimitReader(rand.NewChaCha8(s), size)
}

// WriteRandomFile writes RandomStream(seedN, size) to path.
func WriteRandomFile(path string, seedN uint64, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = io.CopyBuffer(f, RandomStream(seedN, size), make([]byte, 1<<20))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// SameAsStream reports whether the file at path holds exactly the bytes of
// want, and where they first differ otherwise.
func SameAsStream(path string, want io.Reader) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	got := bufio.NewReaderSize(f, 1<<20)
	a, b := make([]byte, 1<<20), make([]byte, 1<<20)
	var off int64
	for {
		n, errA := io.ReadFull(want, a)
		m, errB := io.ReadFull(got, b[:n])
		if m != n || !bytes.Equal(a[:n], b[:m]) {
			return fmt.Errorf("%s differs from the generated data in the MiB at offset %d", path, off)
		}
		off += int64(n)
		if errA == io.EOF || errA == io.ErrUnexpectedEOF {
			if _, err := got.ReadByte(); err != io.EOF {
				return fmt.Errorf("%s is longer than the generated %d bytes", path, off)
			}
			return nil
		}
		if errA != nil {
			return errA
		}
		if errB != nil {
			return fmt.Errorf("%s: %v at offset %d", path, errB, off)
		}
	}
}
