package cluster

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
)

// countingProxy sits between the savepoint binary and one node and counts
// the HTTP attempts and those that failed (5xx answers, broken
// connections, bodies cut short: the client retries or resumes each of
// them while its budget lasts).
type countingProxy struct {
	srv              *httptest.Server
	attempts, failed atomic.Int64
}

func newCountingProxy(t *testing.T, target string) *countingProxy {
	p := &countingProxy{}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: target})
	rp.ErrorLog = log.New(io.Discard, "", 0)
	rp.Transport = countingTransport{p}
	p.srv = httptest.NewServer(rp)
	t.Cleanup(p.srv.Close)
	return p
}

// addr is the proxy's host:port.
func (p *countingProxy) addr() string { return p.srv.Listener.Addr().String() }

// counts returns the attempts and the failed ones so far.
func (p *countingProxy) counts() (attempts, failed int64) {
	return p.attempts.Load(), p.failed.Load()
}

type countingTransport struct{ p *countingProxy }

func (c countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.p.attempts.Add(1)
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || res.StatusCode >= 500 {
		c.p.failed.Add(1)
		return res, err
	}
	res.Body = &countingBody{ReadCloser: res.Body, p: c.p}
	return res, nil
}

// countingBody counts a body that breaks half-way as a failed attempt
// (the client resumes it with a new ranged GET).
type countingBody struct {
	io.ReadCloser
	p      *countingProxy
	broken bool
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && !b.broken {
		b.broken = true
		b.p.failed.Add(1)
	}
	return n, err
}
