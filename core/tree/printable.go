package tree

import (
	"strconv"
	"strings"
)

// EmptyName is how PrintableName shows an empty name.
const EmptyName = "<empty name>"

// PrintableName returns name fit for a one-line message: control bytes,
// NUL, invalid UTF-8, backslashes, quotes and slashes escaped as in a Go
// string literal (\x1b, \x00, \\, \", \x2f), and an empty name shown as
// <empty name>. Printable names pass unchanged.
func PrintableName(name string) string {
	if name == "" {
		return EmptyName
	}
	if plain(name, true) {
		return name
	}
	q := strconv.Quote(name)
	return strings.ReplaceAll(q[1:len(q)-1], "/", `\x2f`)
}

// PrintablePath is PrintableName of each component of a slash-separated
// path.
func PrintablePath(p string) string {
	if plain(p, false) && p != "" && !strings.Contains(p, "//") && p[0] != '/' && p[len(p)-1] != '/' {
		return p
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = PrintableName(s)
	}
	return strings.Join(parts, "/")
}

// plain reports whether s is printable ASCII without backslash or quote
// (nor slash, if noSlash).
func plain(s string, noSlash bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '\\' || c == '"' || (noSlash && c == '/') {
			return false
		}
	}
	return true
}
