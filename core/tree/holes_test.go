package tree

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
)

func TestCheckHoles(t *testing.T) {
	a, b := repository.ID{1}, repository.ID{2}
	two := []repository.ID{a, b}
	for _, c := range []struct {
		n    Node
		want string // "" for valid
	}{
		{Node{Name: "f", Type: File, Content: two, Holes: []Hole{{0, 9}, {1, 9}, {2, 9}}}, ""},
		{Node{Name: "f", Type: File, Holes: []Hole{{0, 1 << 40}}}, ""},
		{Node{Name: "d", Type: Dir, Holes: []Hole{{0, 9}}}, "invalid entry: a dir with holes"},
		{Node{Name: "f", Type: File, Content: two, Holes: []Hole{{0, 0}}}, "invalid entry: hole of 0 bytes"},
		{Node{Name: "f", Type: File, Holes: []Hole{{0, math.MaxInt64 + 1}}}, "invalid entry: hole of 9223372036854775808 bytes"},
		{Node{Name: "f", Type: File, Content: two, Holes: []Hole{{3, 9}}}, "invalid entry: hole at chunk 3 of 2"},
		{Node{Name: "f", Type: File, Content: two, Holes: []Hole{{-1, 9}}}, "invalid entry: hole at chunk -1 of 2"},
		{Node{Name: "f", Type: File, Content: two, Holes: []Hole{{1, 9}, {1, 9}}}, "invalid entry: holes out of order or two at chunk 1"},
		{Node{Name: "f", Type: File, Content: two, Holes: []Hole{{2, 9}, {0, 9}}}, "invalid entry: holes out of order or two at chunk 0"},
	} {
		err := Check(&c.n)
		if (err == nil) != (c.want == "") || err != nil && err.Error() != c.want {
			t.Errorf("%+v: %v, want %q", c.n.Holes, err, c.want)
		}
	}
}

func TestCheckSizeCountsHoles(t *testing.T) {
	a := repository.ID{1}
	length := func(id repository.ID) (uint32, bool) { return 5, id == a }
	for _, c := range []struct {
		n   Node
		err error
	}{
		{Node{Size: 5 + 100 + 7, Content: []repository.ID{a}, Holes: []Hole{{0, 100}, {1, 7}}}, nil},
		{Node{Size: 1 << 33, Holes: []Hole{{0, 1 << 33}}}, nil},
		{Node{Size: 5, Content: []repository.ID{a}, Holes: []Hole{{1, 7}}}, ErrSizeMismatch},
		{Node{Size: 105, Content: []repository.ID{a}}, ErrSizeMismatch},
		{Node{Size: math.MaxInt64, Content: []repository.ID{a}, Holes: []Hole{{0, math.MaxInt64}}}, ErrSizeMismatch},
	} {
		if err := CheckSize(&c.n, length); !errors.Is(err, c.err) || (err == nil) != (c.err == nil) {
			t.Errorf("size %d, holes %v: %v, want %v", c.n.Size, c.n.Holes, err, c.err)
		}
	}
}

func TestPieces(t *testing.T) {
	n := Node{Content: []repository.ID{{1}, {2}, {3}}, Holes: []Hole{{0, 10}, {2, 20}, {3, 30}}}
	var got []string
	for p := range n.Pieces() {
		if p.IsHole {
			got = append(got, "hole")
		} else {
			got = append(got, string(rune('a'+p.Chunk)))
		}
	}
	if s := strings.Join(got, " "); s != "hole a b hole c hole" {
		t.Fatalf("pieces %s", s)
	}
	if n.HoleBytes() != 60 {
		t.Fatalf("hole bytes %d", n.HoleBytes())
	}
}

// An old tree (before holes) decodes as before: no holes, not sparse; a
// tree with holes encodes them after the content.
func TestHolesEncoding(t *testing.T) {
	old := `{"nodes":[{"name":"f","type":"file","mode":420,"mtime_ns":1,"size":5,"content":["` + strings.Repeat("01", 32) + `"]}]}`
	tr, err := Decode([]byte(old))
	if err != nil || len(tr.Nodes[0].Holes) != 0 || tr.Nodes[0].Sparse {
		t.Fatalf("old tree: %v %+v", err, tr)
	}
	tr.Nodes[0].Holes, tr.Nodes[0].Sparse, tr.Nodes[0].Size = []Hole{{1, 4096}}, true, 5+4096
	data, err := tr.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if want := `"holes":[{"at":1,"len":4096}],"sparse":true`; !strings.Contains(string(data), want) {
		t.Fatalf("encoded %s, want %s", data, want)
	}
}
