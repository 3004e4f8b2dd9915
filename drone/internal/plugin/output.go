package plugin

import (
	"io"

	"github.com/savepoint-ci/savepoint/internal/mask"
)

// maskedWriter passes what is written through the masker a whole line at a
// time (a secret is never split across two writes) to w.
type maskedWriter struct {
	mask.LineWriter
}

func newMaskedWriter(w io.Writer, m *mask.Masker) *maskedWriter {
	return &maskedWriter{mask.LineWriter{Line: func(line string) { io.WriteString(w, m.String(line)+"\n") }}}
}
