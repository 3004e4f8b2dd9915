package save

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// regions splits a file into data and holes the same way whether the
// filesystem reports its holes (sparse) or the zeros are read (dense), for
// any read size: the chunker's (12 MiB with the default parameters, more
// than a window) or small ones.
func TestRegions(t *testing.T) {
	const B = HoleBlock
	layout := []struct {
		zero bool
		n    int
	}{
		{false, B}, {true, B}, {false, 3<<20 + 5}, {true, 2<<20 - 5}, {false, B / 2}, {true, 3 * B}, {false, 100},
	}
	var want []string
	var content []byte
	var parts []testrepo.Region
	for _, l := range layout {
		if l.zero {
			content = append(content, make([]byte, l.n)...)
			continue
		}
		data := testrepo.Random(l.n)
		parts = append(parts, testrepo.Region{Off: int64(len(content)), Data: data})
		content = append(content, data...)
	}
	// Holes are the whole aligned zero blocks: block 1; 51-81 (block 50
	// holds the last 5 bytes of the data before); 83-84 (block 82 is half
	// data, block 85 ends with the last 100 bytes).
	want = []string{"data 65536", "hole 65536", "data 3211264", "hole 2031616", "data 65536", "hole 131072", "data 32868"}
	dir := t.TempDir()
	sparse := testrepo.WriteSparse(t, dir, "sparse", int64(len(content)), parts...)
	dense := filepath.Join(dir, "dense")
	if err := os.WriteFile(dense, content, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path     string
		extents  bool
		readSize int
	}{
		{sparse, true, 12 << 20}, {dense, false, 12 << 20}, {dense, false, 100 << 10}, {dense, false, 1000}, {sparse, true, 4096},
	} {
		t.Run(fmt.Sprintf("%s-%d", filepath.Base(c.path), c.readSize), func(t *testing.T) {
			f, err := openRaw(c.path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var rg regions
			if err := rg.reset(f, c.extents); err != nil {
				t.Fatal(err)
			}
			var got []string
			var back []byte
			for {
				n, more, err := rg.hole()
				if err != nil {
					t.Fatal(err)
				}
				if n > 0 {
					got = append(got, fmt.Sprintf("hole %d", n))
					back = append(back, make([]byte, n)...)
				}
				if !more {
					break
				}
				var region []byte
				buf := make([]byte, c.readSize)
				for {
					k, err := rg.Read(buf)
					region = append(region, buf[:k]...)
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
				}
				got = append(got, fmt.Sprintf("data %d", len(region)))
				back = append(back, region...)
			}
			if g, w := strings.Join(got, ", "), strings.Join(want, ", "); g != w {
				t.Fatalf("regions %s, want %s", g, w)
			}
			if !bytes.Equal(back, content) {
				t.Fatal("the regions and holes do not make the file")
			}
			if alloc := testrepo.Allocated(t, c.path); c.extents && rg.read > alloc || !c.extents && rg.read != int64(len(content)) {
				t.Fatalf("read %d bytes (%d allocated, %d in all)", rg.read, alloc, len(content))
			}
		})
	}
}
