// Package mask hides secrets (passwords, tokens, keys) in everything the
// platform entrypoints (actions/, drone/) print or write: logs, outputs,
// step summaries, result files and the CLI's --json output. A secret can
// reach text in several encodings, so each is masked in every form it may
// take there: as given, JSON-escaped, URL-encoded (query and path
// escaping) and base64 (standard and URL alphabets, with and without
// padding); a multi-line secret also line by line.
package mask

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// Replacement stands for a secret in masked text.
const Replacement = "***"

// MinLength is the shortest secret masked: masking shorter strings would
// mangle ordinary text and hide nothing worth hiding.
const MinLength = 3

// Masker replaces the forms of a set of secrets. The zero value masks
// nothing; a Masker is safe for concurrent use once made.
type Masker struct {
	forms [][]byte // longest first, so that a form inside another goes last
}

// New returns a Masker for secrets (empty and short ones are ignored).
func New(secrets ...string) *Masker {
	seen := map[string]bool{}
	var forms []string
	for _, s := range secrets {
		for _, f := range Forms(s) {
			if !seen[f] {
				seen[f] = true
				forms = append(forms, f)
			}
		}
	}
	slices.SortStableFunc(forms, func(a, b string) int { return len(b) - len(a) })
	m := &Masker{}
	for _, f := range forms {
		m.forms = append(m.forms, []byte(f))
	}
	return m
}

// Forms lists the forms of secret that are masked: as given and each of
// its encodings, and the same for each line of a multi-line secret.
// Forms shorter than MinLength are left out.
func Forms(secret string) []string {
	var out []string
	add := func(f string) {
		if len(f) >= MinLength && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	parts := []string{secret}
	if strings.Contains(secret, "\n") {
		for _, line := range strings.Split(secret, "\n") {
			parts = append(parts, strings.TrimSpace(line))
		}
	}
	for _, s := range parts {
		if len(s) < MinLength {
			continue
		}
		add(s)
		for _, f := range jsonForms(s) {
			add(f)
		}
		add(url.QueryEscape(s))
		add(url.PathEscape(s))
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
			add(enc.EncodeToString([]byte(s)))
		}
	}
	return out
}

// jsonForms are s inside a JSON string, without the quotes: as Go's
// encoder writes it (HTML characters escaped), without HTML escaping, and
// with every non-ASCII character as \uXXXX.
func jsonForms(s string) []string {
	var html bytes.Buffer
	json.NewEncoder(&html).Encode(s)
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	unquote := func(b []byte) string { return strings.TrimSuffix(strings.TrimSpace(string(b)), `"`)[1:] }
	ascii := unquote(plain.Bytes())
	var b strings.Builder
	for _, r := range ascii {
		if r < utf8.RuneSelf {
			b.WriteRune(r)
			continue
		}
		for _, u := range utf16(r) {
			fmt.Fprintf(&b, `\u%04x`, u)
		}
	}
	return []string{unquote(html.Bytes()), unquote(plain.Bytes()), b.String()}
}

func utf16(r rune) []uint16 {
	if r < 0x10000 {
		return []uint16{uint16(r)}
	}
	r -= 0x10000
	return []uint16{uint16(0xd800 + r>>10), uint16(0xdc00 + r&0x3ff)}
}

// Forms returns every form m masks, longest first (for a runner's own
// log masking, such as GitHub's add-mask).
func (m *Masker) Forms() []string {
	out := make([]string, len(m.forms))
	for i, f := range m.forms {
		out[i] = string(f)
	}
	return out
}

// Bytes returns b with every form of every secret replaced.
func (m *Masker) Bytes(b []byte) []byte {
	if m == nil {
		return b
	}
	for _, f := range m.forms {
		if bytes.Contains(b, f) {
			b = bytes.ReplaceAll(b, f, []byte(Replacement))
		}
	}
	return b
}

// String returns s with every form of every secret replaced.
func (m *Masker) String(s string) string { return string(m.Bytes([]byte(s))) }
