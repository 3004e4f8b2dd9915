package tree

import (
	"errors"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
)

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		n    Node
		want string // "" for valid
	}{
		{Node{Name: "ok", Type: File}, ""},
		{Node{Name: "esc\x1b[2J", Type: Dir}, ""},
		{Node{Name: "", Type: File}, "invalid name: empty"},
		{Node{Name: "..", Type: Dir}, "invalid name: .."},
		{Node{Name: "a/b", Type: File}, "invalid name: holds a slash"},
		{Node{Name: "a\x00", Type: File}, "invalid name: holds a NUL byte"},
		{Node{Name: strings.Repeat("x", MaxName+1), Type: File}, "invalid name: longer than 255 bytes"},
		{Node{Name: "f", Type: "fifo\n"}, `invalid entry: unknown type fifo\n`},
		{Node{Name: "l", Type: Symlink}, "invalid entry: symlink with an empty target"},
		{Node{Name: "l", Type: Symlink, Target: "a\x00b"}, "invalid entry: symlink target holds a NUL byte"},
		{Node{Name: "l", Type: Symlink, Target: strings.Repeat("a/", 2048)}, "invalid entry: symlink target of 4096 bytes (at most 4095)"},
		{Node{Name: "l", Type: Symlink, Target: "../../anything"}, ""},
	} {
		err := Check(&c.n)
		if (err == nil) != (c.want == "") || err != nil && err.Error() != c.want {
			t.Errorf("%q: %v, want %q", c.n.Name, err, c.want)
		}
	}
}

func TestCheckSize(t *testing.T) {
	a, b, missing := repository.ID{1}, repository.ID{2}, repository.ID{3}
	length := func(id repository.ID) (uint32, bool) {
		switch id {
		case a:
			return 5, true
		case b:
			return 7, true
		}
		return 0, false
	}
	for _, c := range []struct {
		n   Node
		err error
	}{
		{Node{Size: 12, Content: []repository.ID{a, b}}, nil},
		{Node{Size: 0}, nil},
		{Node{Size: 1 << 40}, ErrSizeMismatch},
		{Node{Size: 11, Content: []repository.ID{a, b}}, ErrSizeMismatch},
		{Node{Size: 13, Content: []repository.ID{a, b}}, ErrSizeMismatch},
		{Node{Size: 5, Content: []repository.ID{a, missing}}, repository.ErrBlobNotFound},
	} {
		if err := CheckSize(&c.n, length); !errors.Is(err, c.err) || (err == nil) != (c.err == nil) {
			t.Errorf("size %d, %d chunks: %v, want %v", c.n.Size, len(c.n.Content), err, c.err)
		}
	}
}

func TestDecode(t *testing.T) {
	for doc, want := range map[string]string{
		`{"nodes":[{"name":"a"},{"name":"b"}]}`:     "",
		`{"nodes":[{"name":"a"},{"name":"a"}]}`:     "name a appears twice",
		`{"nodes":[{"name":"b"},{"name":"a"}]}`:     "names not sorted (b before a)",
		`{"nodes":[{"name":"\u0000"},{"name":""}]}`: `names not sorted (\x00 before <empty name>)`,
		`{"nodes":[{"name":`:                        "malformed",
	} {
		_, err := Decode([]byte(doc))
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, repository.ErrCorrupted)) {
			t.Errorf("%s: %v, want %q", doc, err, want)
		}
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain name.txt": "plain name.txt",
		"":               EmptyName,
		"a/b":            `a\x2fb`,
		"nul\x00":        `nul\x00`,
		"esc\x1b[31m":    `esc\x1b[31m`,
		"new\nline":      `new\nline`,
		"back\\slash":    `back\\slash`,
		"caf\xe9":        `caf\xe9`,
		"café":           "café",
	} {
		if got := PrintableName(in); got != want {
			t.Errorf("PrintableName(%q) = %s, want %s", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"a/b/c":   "a/b/c",
		"a//c":    "a/" + EmptyName + "/c",
		"a/":      "a/" + EmptyName,
		"d/\x7f":  `d/\x7f`,
		"":        EmptyName,
		"/abs/ok": EmptyName + "/abs/ok",
	} {
		if got := PrintablePath(in); got != want {
			t.Errorf("PrintablePath(%q) = %s, want %s", in, got, want)
		}
	}
	if got := Printable("/etc/\x1bpasswd"); got != `/etc/\x1bpasswd` {
		t.Errorf("Printable: %s", got)
	}
}
