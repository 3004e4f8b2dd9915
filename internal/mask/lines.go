package mask

import (
	"bytes"
	"strings"
	"sync"
)

// LineWriter hands what is written to it to Line one whole line at a time,
// without the line break, so that a secret split across two writes is
// still masked in one piece. Writes may come from several goroutines (the
// CLI's progress reporter writes from its own).
type LineWriter struct {
	Line func(line string)
	// Max, when above zero, bounds what waits for a line break: once more
	// than Max bytes wait after a write, they are handed to Line as one
	// line (a very long line arrives cut).
	Max int

	mu  sync.Mutex
	buf []byte
}

func (w *LineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.Line(strings.TrimRight(string(w.buf[:i]), "\r"))
		w.buf = w.buf[i+1:]
	}
	if w.Max > 0 && len(w.buf) > w.Max {
		w.Line(string(w.buf))
		w.buf = w.buf[:0]
	}
	return len(p), nil
}

// Flush hands a trailing partial line to Line.
func (w *LineWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.Line(string(w.buf))
		w.buf = nil
	}
}
