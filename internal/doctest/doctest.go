// Package doctest checks that the examples in README.md and docs/ work:
// shell examples are run against the real CLI, YAML examples are parsed and
// checked against what the platform entrypoints accept.
package doctest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Block is one fenced code block of a Markdown file.
type Block struct {
	Lang, Text, Heading string
}

var fence = regexp.MustCompile("(?ms)^```([a-z]*)\n(.*?)^```")

// Blocks returns the fenced code blocks of a Markdown file in the
// repository, with the heading they appear under.
func Blocks(rel string) ([]Block, error) {
	b, err := os.ReadFile(filepath.Join(Root(), rel))
	if err != nil {
		return nil, err
	}
	text := string(b)
	var out []Block
	heading, from := "", 0
	for _, m := range fence.FindAllStringSubmatchIndex(text, -1) {
		// Headings are read between blocks only: a "# comment" line in a
		// code block is not one.
		for _, line := range strings.Split(text[from:m[0]], "\n") {
			if strings.HasPrefix(line, "#") {
				heading = strings.TrimSpace(strings.TrimLeft(line, "#"))
			}
		}
		from = m[1]
		out = append(out, Block{Lang: text[m[2]:m[3]], Text: text[m[4]:m[5]], Heading: heading})
	}
	return out, nil
}

// Root is the repository's top directory.
func Root() string {
	dir, _ := os.Getwd()
	for d := dir; d != "/"; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
	}
	return dir
}
