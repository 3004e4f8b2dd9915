package server

import (
	"net/http"
	"sync"
	"time"
)

// DefaultEarlyHints is the Options.EarlyHints of `savepoint serve` unless
// it is told otherwise.
const DefaultEarlyHints = time.Second

// Progress while working
//
// The client (core/storage/remote) fails an attempt that moves no byte for
// its idle timeout (5 s); after the whole request is sent it waits that
// long, plus a second per 32 MiB, for the answer. Once a PUT's body has
// arrived the server may need longer, and rightly: the storage behind it
// (S3, a registry) is slow or retrying, or the quota check lists the
// repository. So while it stores, the server sends an informational
// answer every Options.EarlyHints, "103 Early Hints" with no links, which
// the client takes for progress. Reads (GET, HEAD, a listing) get them
// too until their answer begins. A PUT gets none while its body arrives:
// the server may be writing "100 Continue" then.
//
// 103 is the informational answer proxies know best (Go's reverse proxy
// passes every 1xx on, nginx handles 103 from 1.29); nginx before 1.29
// breaks on every 1xx, so there hints are turned off (EarlyHints 0), and
// a client whose answer takes longer than its allowance retries: a PUT
// repeated finds the object stored and succeeds (docs/server.md).

// hinted runs h, the handler of a request without a body (a read), with
// hints until it begins its answer: the storage behind the server may be
// slow to find an object or to list.
func (s *Server) hinted(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		hw, stop := s.keepHinting(w, r)
		defer stop()
		h(hw, r)
	}
}

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
