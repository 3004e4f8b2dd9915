// Package benchdata generates CI-like file trees for benchmarks, the same
// bytes on every run: a source checkout, a node_modules tree, build
// artifacts, a plain-text database dump and a sparse VM disk image. Sizes
// scale with a factor so a quick run can use a tenth of the data.
package benchdata

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
)

// Datasets lists the dataset names Generate knows, in report order.
var Datasets = []string{"source", "node_modules", "artifacts", "dump", "image"}

// Stats describes a generated tree. Bytes is the files' sizes (a sparse
// file's apparent size, holes included).
type Stats struct {
	Files int   `json:"files"`
	Bytes int64 `json:"bytes"`
}

// Generate writes dataset name at the given scale into dir (created).
func Generate(dir, name string, scale float64) (Stats, error) {
	g := &gen{root: dir, rng: rand.New(rand.NewChaCha8(seed(name)))}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Stats{}, err
	}
	switch name {
	case "source":
		g.source(scale)
	case "node_modules":
		g.nodeModules(scale)
	case "artifacts":
		g.artifacts(scale)
	case "dump":
		g.dump(scale)
	case "image":
		g.image(scale)
	default:
		return Stats{}, fmt.Errorf("unknown dataset %q", name)
	}
	return g.stats, g.err
}

func seed(name string) [32]byte {
	var s [32]byte
	copy(s[:], "savepoint-benchdata:"+name)
	return s
}

func scaled(n int, scale float64) int {
	v := int(math.Round(float64(n) * scale))
	if v < 1 {
		v = 1
	}
	return v
}

type gen struct {
	root  string
	rng   *rand.Rand
	stats Stats
	err   error
	buf   []byte
}

func (g *gen) write(rel string, data []byte) {
	if g.err != nil {
		return
	}
	p := filepath.Join(g.root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		g.err = err
		return
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		g.err = err
		return
	}
	g.stats.Files++
	g.stats.Bytes += int64(len(data))
}

// expSize draws a size with an exponential distribution around mean,
// clamped to [lo, hi].
func (g *gen) expSize(mean, lo, hi int) int {
	n := int(g.rng.ExpFloat64() * float64(mean))
	return max(lo, min(hi, n))
}

// source: ~15k files, ~270 MB: code-like text in nested packages plus a few
// larger fixtures and images.
func (g *gen) source(scale float64) {
	files := scaled(15000, scale)
	for i := 0; i < files; i++ {
		dir := fmt.Sprintf("pkg%02d/mod%02d/sub%d", i%47, (i/47)%23, (i/1081)%4)
		ext := [...]string{".go", ".ts", ".py", ".md", ".json", ".c"}[i%6]
		g.write(fmt.Sprintf("%s/file%05d%s", dir, i, ext), g.text(g.expSize(11000, 40, 200<<10), codeWords))
	}
	large := scaled(40, scale)
	for i := 0; i < large; i++ {
		if i%2 == 0 {
			g.write(fmt.Sprintf("testdata/fixture%02d.json", i), g.text(g.expSize(3<<20, 1<<20, 8<<20), dataWords))
		} else {
			g.write(fmt.Sprintf("assets/image%02d.png", i), g.random(g.expSize(2<<20, 512<<10, 6<<20)))
		}
	}
}

// nodeModules: ~20k small JS/JSON files in packages plus a few large native
// binaries, and .bin symlinks.
func (g *gen) nodeModules(scale float64) {
	files := scaled(20000, scale)
	pkgs := max(1, files/25)
	for i := 0; i < files; i++ {
		pkg := fmt.Sprintf("pkg-%04d", i%pkgs)
		sub := [...]string{"lib", "dist", "src", "types", "."}[i%5]
		ext := [...]string{".js", ".js", ".d.ts", ".json", ".map"}[(i/5)%5]
		g.write(fmt.Sprintf("%s/%s/f%05d%s", pkg, sub, i, ext), g.text(g.expSize(4000, 20, 100<<10), codeWords))
	}
	bins := scaled(6, scale)
	for i := 0; i < bins; i++ {
		g.write(fmt.Sprintf("@esbuild/linux-x64-%d/bin/esbuild", i), g.binary(g.expSize(20<<20, 8<<20, 40<<20)))
	}
	if g.err == nil {
		os.MkdirAll(filepath.Join(g.root, ".bin"), 0o755)
		for i := 0; i < min(pkgs, 50); i++ {
			os.Symlink(fmt.Sprintf("../pkg-%04d/lib/cli.js", i), filepath.Join(g.root, ".bin", fmt.Sprintf("cmd%02d", i)))
		}
	}
}

// artifacts: a few large build outputs: an already-compressed archive, an
// executable-like binary, a text report.
func (g *gen) artifacts(scale float64) {
	g.write("dist/app.tar.gz", g.random(scaled(100<<20, scale)))
	g.write("dist/app", g.binary(scaled(80<<20, scale)))
	g.write("dist/app.debug", g.binary(scaled(40<<20, scale)))
	g.write("reports/coverage.json", g.text(scaled(20<<20, scale), dataWords))
}

// dump: a 200 MB plain-text SQL dump.
func (g *gen) dump(scale float64) {
	size := scaled(200<<20, scale)
	b := make([]byte, 0, size+256)
	b = append(b, "-- PostgreSQL database dump\nCREATE TABLE events (id bigint, name text, amount numeric, created timestamp, note text);\nCOPY events (id, name, amount, created, note) FROM stdin;\n"...)
	for id := 1; len(b) < size; id++ {
		b = strconv.AppendInt(b, int64(id), 10)
		b = append(b, '\t')
		b = append(b, dataWords[g.rng.IntN(len(dataWords))]...)
		b = append(b, '\t')
		b = strconv.AppendInt(b, int64(g.rng.IntN(1000000)), 10)
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(10+g.rng.IntN(90)), 10)
		b = append(b, "\t2024-"...)
		b = strconv.AppendInt(b, int64(10+g.rng.IntN(3)), 10)
		b = append(b, '-')
		b = strconv.AppendInt(b, int64(10+g.rng.IntN(18)), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(10+g.rng.IntN(14)), 10)
		b = append(b, ":00:00\t"...)
		for w := g.rng.IntN(8); w > 0; w-- {
			b = append(b, codeWords[g.rng.IntN(len(codeWords))]...)
			b = append(b, ' ')
		}
		b = append(b, '\n')
	}
	g.write("dump.sql", b[:size])
}

// text returns n bytes of word-salad lines (compresses about 3-4x).
func (g *gen) text(n int, words []string) []byte {
	b := make([]byte, 0, n+64)
	for len(b) < n {
		indent := g.rng.IntN(4)
		for i := 0; i < indent; i++ {
			b = append(b, '\t')
		}
		for w := 3 + g.rng.IntN(9); w > 0; w-- {
			b = append(b, words[g.word(len(words))]...)
			b = append(b, ' ')
		}
		b = append(b, '\n')
	}
	return b[:n]
}

// word draws a word index skewed toward the start of the vocabulary, as
// identifiers repeat in real code.
func (g *gen) word(n int) int { return g.rng.IntN(g.rng.IntN(n) + 1) }

// Text returns n bytes of deterministic text-like data for a seed.
func Text(seedN uint64, n int) []byte {
	g := &gen{rng: rand.New(rand.NewPCG(seedN, 1))}
	return g.text(n, codeWords)
}

// Random returns n deterministic incompressible bytes for a seed.
func Random(seedN uint64, n int) []byte {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seedN)
	b := make([]byte, n)
	rand.NewChaCha8(s).Read(b)
	return b
}

func (g *gen) random(n int) []byte {
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], g.rng.Uint64())
	}
	return b
}

// binary mixes incompressible runs, zero padding and string tables, the
// way executables compress (about 1.5-2x).
func (g *gen) binary(n int) []byte {
	b := make([]byte, 0, n+(64<<10))
	for len(b) < n {
		switch g.rng.IntN(4) {
		case 0, 1:
			b = append(b, g.random(4<<10+g.rng.IntN(60<<10))...)
		case 2:
			b = append(b, make([]byte, g.rng.IntN(16<<10))...)
		default:
			b = append(b, g.text(g.rng.IntN(32<<10), codeWords)...)
		}
	}
	return b[:n]
}

// Change rewrites a few bytes in the middle of every 100th regular file
// (at least one) under dir, in sorted order; in a sparse file (a disk
// image) it rewrites 1% of its data in one place instead (changeSparse).
// It returns the files changed.
func Change(dir string) (int, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	sort.Strings(files)
	n := 0
	for i := 0; i < len(files); i += 100 {
		f, err := os.OpenFile(files[i], os.O_RDWR, 0)
		if err != nil {
			return n, err
		}
		sparse, err := changeSparse(f, uint64(i))
		if err == nil && !sparse {
			var fi os.FileInfo
			if fi, err = f.Stat(); err == nil {
				_, err = f.WriteAt([]byte("-- changed by the benchmark --"), fi.Size()/2)
			}
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// SmallTree writes the small CI-like tree the save and restore benchmarks
// take into dir: a tenth of the source dataset (~1.5k files, ~27 MB) in
// dir/source and a tenth of the build artifacts (~24 MB) in dir/artifacts.
// It returns the files' total size.
func SmallTree(dir string) (int64, error) {
	var total int64
	for _, ds := range []string{"source", "artifacts"} {
		st, err := Generate(filepath.Join(dir, ds), ds, 0.1)
		if err != nil {
			return 0, err
		}
		total += st.Bytes
	}
	return total, nil
}
