package engine

import (
	"strings"
	"testing"
)

// withoutMaskCommands drops the ::add-mask:: commands, which the runner
// reads and never prints.
func withoutMaskCommands(log string) string {
	var kept []string
	for _, l := range strings.Split(log, "\n") {
		if !strings.HasPrefix(l, "::add-mask::") {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

// parseFileCommand parses the runner's file command format: NAME=value or
// NAME<<DELIMITER, lines, DELIMITER.
func parseFileCommand(t *testing.T, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		if lines[i] == "" {
			continue
		}
		if name, delim, ok := strings.Cut(lines[i], "<<"); ok {
			var val []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				val = append(val, lines[i])
			}
			if i == len(lines) {
				t.Fatalf("file command %s: no closing %s", name, delim)
			}
			out[name] = strings.Join(val, "\n")
			continue
		}
		name, val, ok := strings.Cut(lines[i], "=")
		if !ok {
			t.Fatalf("file command line %q", lines[i])
		}
		out[name] = val
	}
	return out
}
