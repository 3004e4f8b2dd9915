package doctest

import (
	"strings"
	"testing"
)

// Under returns the fenced blocks of file (a Markdown file of the
// repository) in lang under a heading that starts with heading; it fails
// the test when there is none.
func Under(t testing.TB, file, heading, lang string) []string {
	t.Helper()
	all, err := Blocks(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, b := range all {
		if strings.HasPrefix(b.Heading, heading) && b.Lang == lang {
			out = append(out, b.Text)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s has no %s block under %q", file, lang, heading)
	}
	return out
}
