package chunker

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"testing"
	"testing/iotest"
)

func TestEmptyStream(t *testing.T) {
	c := New(bytes.NewReader(nil), small, testTable)
	for range 2 {
		if b, err := c.Next(); !errors.Is(err, io.EOF) || b != nil {
			t.Fatalf("Next on an empty stream = %d bytes, %v; want io.EOF", len(b), err)
		}
	}
	if n := Cut(nil, true, small, testTable); n != 0 {
		t.Fatalf("Cut(nil) = %d", n)
	}
}

func TestShortStreamIsOneChunk(t *testing.T) {
	for _, n := range []int{1, 100, small.Min - 1, small.Min} {
		data := randBytes("short", n)
		sizes := chunkAll(t, New(bytes.NewReader(data), small, testTable), data)
		if !slices.Equal(sizes, []int{n}) {
			t.Errorf("%d-byte stream gave chunks %v, want one", n, sizes)
		}
		if got := Cut(data, true, small, testTable); got != n {
			t.Errorf("Cut of %d bytes = %d", n, got)
		}
	}
}

func TestBoundsRandomSizes(t *testing.T) {
	sizes := randBytes("sizes", 64)
	c := New(nil, small, testTable)
	ct := New(nil, tiny, testTable)
	for i := range 32 {
		// Lengths from 0 to about 3 MiB, from random bytes.
		n := (int(sizes[2*i])<<8 | int(sizes[2*i+1])) * 48
		data := randBytes("bounds"+string(rune('a'+i)), n)
		c.Reset(bytes.NewReader(data))
		got := chunkAll(t, c, data)
		checkBounds(t, got, small)
		if want := cutAll(data, small, testTable); !slices.Equal(got, want) {
			t.Fatalf("%d bytes: Chunker and Cut disagree", n)
		}
		ct.Reset(bytes.NewReader(data[:n/64]))
		checkBounds(t, chunkAll(t, ct, data[:n/64]), tiny)
	}
}

func TestBoundsLowEntropy(t *testing.T) {
	// Constant and periodic data never hit the masks on their own terms:
	// the chunker must still cut at Max.
	for name, data := range map[string][]byte{
		"zeros":    make([]byte, 3*small.Max+17),
		"periodic": bytes.Repeat([]byte("savepoint!"), 80_000),
	} {
		sizes := chunkAll(t, New(bytes.NewReader(data), small, testTable), data)
		checkBounds(t, sizes, small)
		if name == "zeros" && len(sizes) < 3 {
			t.Errorf("zeros: %d chunks, want at least 3 (max %d)", len(sizes), small.Max)
		}
	}
}

func TestReadSizesDoNotMatter(t *testing.T) {
	data := randBytes("reads", 3<<20)
	want := cutAll(data, small, testTable)
	if len(want) < 20 {
		t.Fatalf("only %d chunks in 3 MiB", len(want))
	}
	for name, r := range map[string]io.Reader{
		"short":      &shortReader{data: data},
		"half":       iotest.HalfReader(bytes.NewReader(data)),
		"dataErrEOF": iotest.DataErrReader(bytes.NewReader(data)),
	} {
		got := chunkAll(t, New(r, small, testTable), data)
		if !slices.Equal(got, want) {
			t.Errorf("%s reader: boundaries differ from Cut", name)
		}
	}
}

func TestDeterministic(t *testing.T) {
	data := randBytes("determinism", 8<<20)
	a := cutAll(data, small, NewTable([]byte("k")))
	b := chunkAll(t, New(bytes.NewReader(data), small, NewTable([]byte("k"))), data)
	if !slices.Equal(a, b) {
		t.Fatal("same secret and data gave different chunks")
	}
}

// TestGolden pins the boundaries of a fixed secret and fixed data: they are
// part of the repository format and must never change.
func TestGolden(t *testing.T) {
	data := randBytes("golden", 1<<20)
	got := cutAll(data, small, NewTable([]byte("golden secret")))
	want := []int{77262, 66292, 47519, 81239, 17764, 50419, 68530, 22623, 78894, 20200, 88431, 65614, 71513, 30808, 77242, 75161, 34236, 68986, 5843}
	if !slices.Equal(got, want) {
		t.Fatalf("boundaries changed: got %#v", got)
	}
	tab := NewTable([]byte("golden secret"))
	if tab[0] != 0xec8119dde60d3264 || tab[255] != 0x527d88ab213d9387 {
		t.Fatalf("table changed: %#x %#x", tab[0], tab[255])
	}
}

func TestSecretChangesBoundaries(t *testing.T) {
	data := randBytes("secrets", 16<<20)
	a := offsets(cutAll(data, small, NewTable([]byte("secret one"))))
	b := offsets(cutAll(data, small, NewTable([]byte("secret two"))))
	shared := 0
	for _, off := range a {
		if _, ok := slices.BinarySearch(b, off); ok {
			shared++
		}
	}
	// The end of the data is always shared; by chance a handful more.
	if shared > len(a)/20+1 {
		t.Fatalf("%d of %d boundaries are the same under two secrets", shared, len(a))
	}
	if *NewTable([]byte("secret one")) == *NewTable([]byte("secret two")) {
		t.Fatal("different secrets gave the same table")
	}
}

// TestShiftResistance inserts bytes at the start and in the middle of a
// stream: only the chunks around the edit may change. How many change is
// random (the chunker has to fall back into step with the old cut points),
// so the test bounds each edit loosely and the mean over many edits tightly.
func TestShiftResistance(t *testing.T) {
	all := randBytes("shift", 40<<20)
	for _, tc := range []struct {
		p     Params
		edits int
	}{{small, 40}, {Default, 4}} {
		p := tc.p
		data := all[:40*p.Avg]
		orig := cutAll(data, p, testTable)
		total, worst := 0, 0
		for k := range tc.edits {
			insert := randBytes(fmt.Sprint("insert", k), 1+k*7919%(2*p.Avg))
			var changed int
			if k%2 == 0 {
				got := cutAll(slices.Concat(insert, data), p, testTable)
				changed = len(orig) - commonSuffix(orig, got)
			} else {
				mid := len(data) * k / (tc.edits + 1)
				got := cutAll(slices.Concat(data[:mid], insert, data[mid:]), p, testTable)
				changed = len(orig) - commonPrefix(orig, got) - commonSuffix(orig, got)
			}
			total += changed
			worst = max(worst, changed)
		}
		mean := float64(total) / float64(tc.edits)
		t.Logf("%+v: %d chunks, %d edits change %.1f chunks on average, %d at most", p, len(orig), tc.edits, mean, worst)
		if mean > 4 || worst > 12 {
			t.Errorf("%+v: edits change %.1f of %d chunks on average, %d at most; want at most 4 and 12",
				p, mean, len(orig), worst)
		}
	}
}

func commonPrefix(a, b []int) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

func commonSuffix(a, b []int) int {
	n := 0
	for n < len(a) && n < len(b) && a[len(a)-1-n] == b[len(b)-1-n] {
		n++
	}
	return n
}

func TestMeanChunkSize(t *testing.T) {
	data := randBytes("distribution", 64<<20)
	for _, p := range []Params{Default, small, {Min: 64 << 10, Avg: 1 << 20, Max: 8 << 20}, tiny} {
		sizes := cutAll(data, p, testTable)
		checkBounds(t, sizes, p)
		mean := float64(len(data)) / float64(len(sizes))
		t.Logf("%+v: %d chunks, mean %.0f bytes (%.2f x avg)", p, len(sizes), mean, mean/float64(p.Avg))
		if mean < 0.75*float64(p.Avg) || mean > 1.25*float64(p.Avg) {
			t.Errorf("%+v: mean chunk size %.0f is not within 25%% of %d", p, mean, p.Avg)
		}
		// Normalized chunking: few chunks hit Max.
		atMax := 0
		for _, n := range sizes {
			if n == p.Max {
				atMax++
			}
		}
		if atMax > len(sizes)/100 {
			t.Errorf("%+v: %d of %d chunks are cut at max", p, atMax, len(sizes))
		}
	}
}

func TestResetReusesBuffer(t *testing.T) {
	data := randBytes("reset", 2*small.Max+5)
	c := New(bytes.NewReader(data), small, testTable)
	want := chunkAll(t, c, data)
	buf := &c.buf[0]
	// Reset in the middle of a stream, then on a fresh one.
	c.Reset(bytes.NewReader(data))
	if _, err := c.Next(); err != nil {
		t.Fatal(err)
	}
	c.Reset(bytes.NewReader(data))
	if got := chunkAll(t, c, data); !slices.Equal(got, want) {
		t.Fatalf("after Reset: %v, want %v", got, want)
	}
	if &c.buf[0] != buf {
		t.Fatal("Reset reallocated the buffer")
	}
	if len(c.buf) > small.Max*2 {
		t.Fatalf("buffer is %d bytes for max %d", len(c.buf), small.Max)
	}
	r := bytes.NewReader(data)
	allocs := testing.AllocsPerRun(5, func() {
		r.Reset(data)
		c.Reset(r)
		for {
			if _, err := c.Next(); err != nil {
				break
			}
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per reused stream", allocs)
	}
}

func TestReadError(t *testing.T) {
	boom := errors.New("boom")
	data := randBytes("error", 600<<10)
	r := io.MultiReader(bytes.NewReader(data), iotest.ErrReader(boom))
	c := New(r, small, testTable)
	total := 0
	var err error
	for {
		var b []byte
		if b, err = c.Next(); err != nil {
			break
		}
		total += len(b)
	}
	if !errors.Is(err, boom) {
		t.Fatalf("Next = %v, want the read error", err)
	}
	if total == 0 || total >= len(data) {
		t.Fatalf("returned %d of %d bytes before the error; want the complete chunks only", total, len(data))
	}
	if _, err := c.Next(); !errors.Is(err, boom) {
		t.Fatalf("second Next = %v, want the read error again", err)
	}
}
