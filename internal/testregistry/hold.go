package testregistry

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
)

// Hold holds the registry's handling of the first manifest push whose tag
// starts with a prefix, as a busy registry does: the request has arrived
// whole and will be applied, only the answer takes a while. Arrived is
// closed when the push is held, Answered once the registry applied it; the
// test calls Release to let it go on. The push is applied even if the
// client has given up waiting for the answer.
type Hold struct {
	prefix            string
	Arrived, Answered chan struct{}
	release           chan struct{}
	once, released    sync.Once
}

// NewHold returns a Hold for the first push of a tag starting with prefix.
func NewHold(prefix string) *Hold {
	return &Hold{prefix: prefix, Arrived: make(chan struct{}), Answered: make(chan struct{}), release: make(chan struct{})}
}

// Release lets the held push go on (at most once; later calls do nothing).
func (p *Hold) Release() { p.released.Do(func() { close(p.release) }) }

// Wrap is the registry handler wrapper (InProcess's wrap).
func (p *Hold) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		first := false
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/"+p.prefix) {
			p.once.Do(func() { first = true })
		}
		if !first {
			next.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		close(p.Arrived)
		<-p.release
		next.ServeHTTP(w, r.WithContext(context.WithoutCancel(r.Context())))
		close(p.Answered)
	})
}
