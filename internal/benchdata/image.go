package benchdata

import (
	"os"
	"path/filepath"
)

// image: a VM's raw disk image, an 8 GiB sparse file holding 200 MiB of
// random data in 100 regions at scattered 4 KiB-aligned offsets (one in
// each hundredth of the file), holes everywhere else. Scale shrinks both.
func (g *gen) image(scale float64) {
	const regions = 100
	size := int64(scaled(8<<30, scale))
	region := int64(scaled(2<<20, scale)) &^ 4095
	slot := size / regions
	if g.err != nil || region == 0 || slot < region+4096 {
		g.err = os.ErrInvalid
		return
	}
	p := filepath.Join(g.root, "disk.raw")
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		g.err = err
		return
	}
	defer f.Close()
	if g.err = f.Truncate(size); g.err != nil {
		return
	}
	for i := int64(0); i < regions; i++ {
		off := i*slot + g.rng.Int64N((slot-region)/4096)*4096
		if _, g.err = f.WriteAt(g.random(int(region)), off); g.err != nil {
			return
		}
	}
	g.stats.Files++
	g.stats.Bytes += size
}

// changeSparse rewrites 1% of a sparse file's data (its allocated bytes)
// with new random bytes, in one place: the start of its middle data
// extent, within that extent. It reports false for a file that is not
// sparse, which Change treats as any other.
func changeSparse(f *os.File, seedN uint64) (bool, error) {
	fi, err := f.Stat()
	if err != nil {
		return false, err
	}
	alloc, ok := Allocated(fi)
	if !ok || alloc >= fi.Size() {
		return false, nil
	}
	var extents [][2]int64
	for off := int64(0); off < fi.Size(); {
		start, err := seekData(f, off)
		if err != nil {
			break // no more data (or no SEEK_DATA: no extents to pick from)
		}
		end, err := seekHole(f, start)
		if err != nil {
			return true, err
		}
		extents, off = append(extents, [2]int64{start, end}), end
	}
	if len(extents) == 0 {
		return false, nil
	}
	e := extents[len(extents)/2]
	n := min(alloc/100, e[1]-e[0])
	_, err = f.WriteAt(Random(seedN, int(n)), e[0])
	return true, err
}
