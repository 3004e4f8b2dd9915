package save

import (
	"bufio"
	"fmt"
	"os"
	"path"
	"strings"
)

// Excluder matches paths against exclude patterns. A pattern without a
// slash matches a base name at any depth ("*.log", "node_modules"); a
// pattern with a slash matches the path inside the snapshot from its start
// ("build/tmp", "src/*/gen"). A trailing slash matches directories only.
type Excluder struct {
	base, full []pattern
}

type pattern struct {
	glob    string
	dirOnly bool
}

// NewExcluder validates patterns.
func NewExcluder(patterns []string) (*Excluder, error) {
	e := &Excluder{}
	for _, p := range patterns {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		pt := pattern{glob: p}
		if strings.HasSuffix(p, "/") {
			pt.dirOnly, pt.glob = true, strings.TrimRight(p, "/")
		}
		pt.glob = strings.TrimPrefix(pt.glob, "./")
		if _, err := path.Match(pt.glob, ""); err != nil {
			return nil, fmt.Errorf("bad exclude pattern %q: %v", p, err)
		}
		if strings.Contains(pt.glob, "/") {
			e.full = append(e.full, pt)
		} else {
			e.base = append(e.base, pt)
		}
	}
	return e, nil
}

// Excluded reports whether the entry at rel (slash path in the snapshot)
// with base name name is excluded.
func (e *Excluder) Excluded(rel, name string, isDir bool) bool {
	for _, p := range e.base {
		if (!p.dirOnly || isDir) && matches(p.glob, name) {
			return true
		}
	}
	for _, p := range e.full {
		if (!p.dirOnly || isDir) && matches(p.glob, rel) {
			return true
		}
	}
	return false
}

func matches(glob, s string) bool {
	ok, _ := path.Match(glob, s)
	return ok
}

// ReadPatternFile reads exclude patterns, one per line; blank lines and
// lines starting with # are ignored.
func ReadPatternFile(name string) ([]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("exclude file: %v", unwrapPathError(err))
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out, sc.Err()
}
