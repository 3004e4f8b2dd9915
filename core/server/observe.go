package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage/remote/protocol"
)

// call is what the log line of one request says; handlers fill it in.
type call struct {
	id     string
	token  string // the token's ID, never its secret
	role   string
	status int
	in     int64 // request body bytes read
	out    int64 // response body bytes written
	note   string
}

type callKey struct{}

func callOf(r *http.Request) *call {
	if c, ok := r.Context().Value(callKey{}).(*call); ok {
		return c
	}
	return &call{}
}

// RequestID returns the id the server gave the request.
func RequestID(r *http.Request) string { return callOf(r).id }

// NoteToken records the ID and role of the token a request was made with,
// for its log line; handlers outside this package (the management API, the
// web view) call it once they have checked the token.
func NoteToken(r *http.Request, id, role string) {
	c := callOf(r)
	c.token, c.role = id, role
}

// recorder notes the status and size of a response.
type recorder struct {
	http.ResponseWriter
	c *call
}

func (w *recorder) WriteHeader(code int) {
	if w.c.status == 0 && code >= 200 { // not an informational answer (hints.go)
		w.c.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(p []byte) (int, error) {
	if w.c.status == 0 {
		w.c.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.c.out += int64(n)
	return n, err
}

func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// counter counts the request body bytes a handler reads.
type counter struct {
	io.ReadCloser
	c *call
}

func (b *counter) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.c.in += int64(n)
	return n, err
}

// observe gives every request an id (X-Request-Id in the answer), logs one
// line when it ends, and turns a panic into a 500 answer.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [8]byte
		rand.Read(b[:])
		c := &call{id: hex.EncodeToString(b[:])}
		w.Header().Set(protocol.HeaderRequestID, c.id)
		start := time.Now()
		rec := &recorder{ResponseWriter: w, c: c}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = &counter{ReadCloser: r.Body, c: c}
		}
		inner := r.WithContext(context.WithValue(r.Context(), callKey{}, c))
		defer func() {
			p := recover()
			if p != nil && p != http.ErrAbortHandler {
				s.log.Error("panic", "request_id", c.id, "panic", p)
				if c.status == 0 {
					writeError(rec, r, http.StatusInternalServerError, protocol.Error{Code: protocol.CodeInternal, Message: "internal error"})
				}
			}
			switch {
			case p == http.ErrAbortHandler && c.status == 0:
				c.status = 499 // the connection was dropped before an answer
			case c.status == 0:
				c.status = http.StatusOK
			}
			attrs := []slog.Attr{
				slog.String("request_id", c.id), slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", c.status), slog.Int64("in", c.in), slog.Int64("out", c.out),
				slog.Duration("duration", time.Since(start)), slog.String("remote", r.RemoteAddr),
			}
			if c.token != "" {
				attrs = append(attrs, slog.String("token", c.token), slog.String("role", c.role))
			}
			if c.note != "" {
				attrs = append(attrs, slog.String("note", c.note))
			}
			level := slog.LevelInfo
			if c.status >= 500 {
				level = slog.LevelError
			}
			s.log.LogAttrs(context.Background(), level, "request", attrs...)
			s.metrics.ObserveRequest(inner.Pattern, r.Method, c.status, c.in, c.out, time.Since(start))
			if p == http.ErrAbortHandler {
				panic(p)
			}
		}()
		next.ServeHTTP(rec, inner) // the router sets inner.Pattern
	})
}
