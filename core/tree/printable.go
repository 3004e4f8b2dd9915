package tree

import (
	"strconv"
	"strings"
)

// EmptyName is how PrintableName shows an empty name.
const EmptyName = "<empty name>"

// Printable returns s fit for a one-line message: control bytes, NUL,
// invalid UTF-8, backslashes and quotes escaped as in a Go string literal
// (\x1b, \x00, \\, \"). Printable text passes unchanged.
func Printable(s string) string {
	if plain(s) {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// PrintableName is Printable for one name of a path: a "/" in it is shown
// as \x2f, and an empty name as <empty name>.
func PrintableName(name string) string {
	if name == "" {
		return EmptyName
	}
	return strings.ReplaceAll(Printable(name), "/", `\x2f`)
}

// PrintablePath is PrintableName of each component of a slash-separated
// path.
func PrintablePath(p string) string {
	if plain(p) && p != "" && p[0] != '/' && p[len(p)-1] != '/' && !strings.Contains(p, "//") {
		return p
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = PrintableName(s)
	}
	return strings.Join(parts, "/")
}

// plain reports whether s is printable ASCII without backslash or quote.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '\\' || c == '"' {
			return false
		}
	}
	return true
}
