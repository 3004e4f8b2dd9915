package mask

import (
	"slices"
	"strings"
	"testing"
)

// secret holds quotes, a backslash, '%', a space, non-ASCII and HTML
// characters, and encodes differently in each base64 alphabet.
const secret = `p"a\ss 100%é<>?`

func TestForms(t *testing.T) {
	want := []string{
		secret,
		`p\"a\\ss 100%é\u003c\u003e?`,                          // JSON, as Go writes it
		`p\"a\\ss 100%é<>?`,                                    // JSON without HTML escaping
		`p\"a\\ss 100%\u00e9<>?`,                               // JSON, ASCII only
		`p%22a%5Css+100%25%C3%A9%3C%3E%3F`,                     // URL query
		`p%22a%5Css%20100%25%C3%A9%3C%3E%3F`,                   // URL path
		"cCJhXHNzIDEwMCXDqTw+Pw==", "cCJhXHNzIDEwMCXDqTw-Pw==", // base64 std, URL
		"cCJhXHNzIDEwMCXDqTw+Pw", "cCJhXHNzIDEwMCXDqTw-Pw", // unpadded
	}
	got := Forms(secret)
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("Forms lacks %q; got %q", w, got)
		}
	}
	m := New(secret, "ab", "")
	for _, w := range want {
		text := "before " + w + " after"
		if out := m.String(text); out != "before "+Replacement+" after" {
			t.Errorf("String(%q) = %q", text, out)
		}
	}
	if out := m.String("ab cd"); out != "ab cd" {
		t.Errorf("a secret shorter than MinLength was masked: %q", out)
	}
}

func TestMultiLineSecret(t *testing.T) {
	m := New("-----BEGIN KEY-----\nline-one-of-key\nline-two-of-key\n-----END KEY-----")
	out := m.String("error near line-two-of-key: bad")
	if strings.Contains(out, "line-two") {
		t.Errorf("a line of a multi-line secret survived: %q", out)
	}
	forms := m.Forms()
	if !slices.IsSortedFunc(forms, func(a, b string) int { return len(b) - len(a) }) {
		t.Errorf("Forms() = %q: want the longest first (a form inside another is masked last)", forms)
	}
	var none *Masker
	if none.String("x") != "x" {
		t.Error("a nil Masker changed text")
	}
}

func TestLineWriter(t *testing.T) {
	m := New("hunter22")
	var got []string
	w := &LineWriter{Line: func(s string) { got = append(got, m.String(s)) }}
	// The secret is split across writes: masking works on whole lines.
	for _, chunk := range []string{"sav", "ing 10%\r\nwrong password hun", "ter22 for repo\n\nwarning: x\ntail hunter22"} {
		if n, err := w.Write([]byte(chunk)); n != len(chunk) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	w.Flush()
	want := []string{"saving 10%", "wrong password *** for repo", "", "warning: x", "tail ***"}
	if !slices.Equal(got, want) {
		t.Errorf("lines %q, want %q", got, want)
	}
}

// With Max set, more than Max bytes waiting for a line break are handed
// over as one line; what follows starts a new one.
func TestLineWriterMax(t *testing.T) {
	var got []string
	w := &LineWriter{Max: 4, Line: func(s string) { got = append(got, s) }}
	for _, chunk := range []string{"abc", "defg", "h\nij"} {
		w.Write([]byte(chunk))
	}
	w.Flush()
	want := []string{"abcdefg", "h", "ij"}
	if !slices.Equal(got, want) {
		t.Errorf("lines %q, want %q", got, want)
	}
}
