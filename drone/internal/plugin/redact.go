package plugin

import (
	"bytes"
	"encoding/json"
	"io"
	"sync"
)

// Mask replaces secrets in text with this.
const Mask = "********"

// redactor replaces secret values (as given and JSON-escaped) in text.
type redactor struct{ secrets [][]byte }

func newRedactor(secrets []string) redactor {
	var r redactor
	for _, s := range secrets {
		if len(s) < 3 { // too short to mask without mangling the output
			continue
		}
		r.secrets = append(r.secrets, []byte(s))
		if q, err := json.Marshal(s); err == nil && string(q[1:len(q)-1]) != s {
			r.secrets = append(r.secrets, q[1:len(q)-1])
		}
	}
	return r
}

func (r redactor) bytes(b []byte) []byte {
	for _, s := range r.secrets {
		b = bytes.ReplaceAll(b, s, []byte(Mask))
	}
	return b
}

func (r redactor) string(s string) string { return string(r.bytes([]byte(s))) }

// lineWriter passes whole lines through a redactor (a secret is never split
// across two writes), and remembers the last line.
type lineWriter struct {
	mu   sync.Mutex
	w    io.Writer
	r    redactor
	buf  []byte
	last string
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		line := l.r.bytes(l.buf[:i+1])
		if t := bytes.TrimSpace(line); len(t) > 0 {
			l.last = string(t)
		}
		if _, err := l.w.Write(line); err != nil {
			return len(p), err
		}
		l.buf = l.buf[i+1:]
	}
	return len(p), nil
}

// Flush writes a trailing partial line.
func (l *lineWriter) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		line := l.r.bytes(l.buf)
		if t := bytes.TrimSpace(line); len(t) > 0 {
			l.last = string(t)
		}
		l.w.Write(append(line, '\n'))
		l.buf = nil
	}
}

// Last returns the last non-empty line written.
func (l *lineWriter) Last() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last
}
