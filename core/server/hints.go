package server

import (
	"net/http"
	"sync"
	"time"
)

// DefaultEarlyHints is the Options.EarlyHints of `savepoint serve` unless
// it is told otherwise.
const DefaultEarlyHints = time.Second

// Progress while storing
//
// The client (core/storage/remote) fails an attempt that moves no byte for
// its idle timeout (5 s), and after the whole request is sent it waits
// that long, plus a second per 32 MiB, for the answer. Once a PUT's body
// has arrived the server may need longer to answer, and rightly: the
// storage behind it (S3, a registry) is slow or retrying, or the quota
// check lists the repository. So while it stores, the server sends an
// informational answer every Options.EarlyHints: "103 Early Hints", with
// no links, which the client takes for progress. 103 is the one 1xx
// answer that current proxies pass on or drop (nginx from 1.29, HAProxy,
// Caddy, Traefik); older nginx breaks on every 1xx, so behind it give
// `serve --early-hints 0`, and a client whose answer takes longer than its
// allowance retries (a PUT repeated finds the object stored and succeeds).

// hinting is a ResponseWriter that sends 103 Early Hints every interval
// until the handler first touches it (or the request ends).
type hinting struct {
	http.ResponseWriter
	once sync.Once
	quit chan struct{}
	done chan struct{}
}

// keepHinting starts the hints on w for r; the handler answers through the
// returned writer and must call stop before it returns.
func (s *Server) keepHinting(w http.ResponseWriter, r *http.Request) (hw http.ResponseWriter, stop func()) {
	every := s.o.EarlyHints
	if every <= 0 || !r.ProtoAtLeast(1, 1) {
		return w, func() {}
	}
	h := &hinting{ResponseWriter: w, quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-h.quit:
				return
			case <-r.Context().Done():
				return
			case <-t.C:
				w.WriteHeader(http.StatusEarlyHints)
			}
		}
	}()
	return h, h.stop
}

// stop ends the hints and waits until none is being written: a
// ResponseWriter is not safe for concurrent use.
func (h *hinting) stop() {
	h.once.Do(func() {
		close(h.quit)
		<-h.done
	})
}

func (h *hinting) Header() http.Header {
	h.stop()
	return h.ResponseWriter.Header()
}

func (h *hinting) WriteHeader(code int) {
	h.stop()
	h.ResponseWriter.WriteHeader(code)
}

func (h *hinting) Write(p []byte) (int, error) {
	h.stop()
	return h.ResponseWriter.Write(p)
}

func (h *hinting) Unwrap() http.ResponseWriter { return h.ResponseWriter }
