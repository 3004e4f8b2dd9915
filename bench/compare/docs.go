//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// markers of the section of docs/performance.md a run rewrites; each
// location has its own.
func markers(location string) (string, string) {
	name := "compare"
	if location != "local" {
		name += "-" + location
	}
	return "<!-- " + name + ":begin (written by bench/compare; edits inside are lost) -->", "<!-- " + name + ":end -->"
}

// writeDocs writes docs/bench/results.json, docs/bench/results.md,
// docs/bench/chart.svg (with a -LOCATION suffix but for local runs) and
// the marked section of docs/performance.md.
func writeDocs(docs string, r *Run) error {
	dir := filepath.Join(docs, "bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	suffix := ""
	if r.Backend != "local" {
		suffix = "-" + r.Backend
	}
	svg := "chart" + suffix + ".svg"
	files := map[string][]byte{
		"results" + suffix + ".json": append(js, '\n'),
		"results" + suffix + ".md":   []byte(r.markdown(svg)),
		svg:                          chart(r),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	perf := filepath.Join(docs, "performance.md")
	old, err := os.ReadFile(perf)
	if err != nil {
		return fmt.Errorf("%s: %v (it holds the marked section the results go in)", perf, err)
	}
	markBegin, markEnd := markers(r.Backend)
	i, j := bytes.Index(old, []byte(markBegin)), bytes.Index(old, []byte(markEnd))
	if i < 0 || j < i {
		return fmt.Errorf("%s: markers %q and %q not found", perf, markBegin, markEnd)
	}
	var out bytes.Buffer
	out.Write(old[:i+len(markBegin)])
	out.WriteString("\n" + r.markdown("bench/"+svg))
	out.Write(old[j:])
	return os.WriteFile(perf, out.Bytes(), 0o644)
}
