//go:build unix

package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"sync/atomic"
)

// requestCounter counts the HTTP requests that pass the proxy: every
// tool's S3 requests, counted the same way whatever the tool reports.
type requestCounter struct{ n atomic.Int64 }

// take returns the count since the last take.
func (c *requestCounter) take() int64 { return c.n.Swap(0) }

// startCountingProxy serves a reverse proxy to target (host:port) on a
// free loopback port. It keeps the Host header, so the tools' SigV4
// signatures (made for the proxy's address) still verify.
// BENCH_TRACE_REQUESTS=1 prints each request.
func startCountingProxy(target string) (*requestCounter, string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", nil, err
	}
	to := &url.URL{Scheme: "http", Host: target}
	c := &requestCounter{}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(to)
			r.Out.Host = r.In.Host
		},
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true},
	}
	trace := os.Getenv("BENCH_TRACE_REQUESTS") != ""
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.n.Add(1)
		if trace {
			fmt.Fprintf(os.Stderr, "\n     %s %s", r.Method, r.URL.RequestURI())
		}
		proxy.ServeHTTP(w, r)
	})}
	go srv.Serve(ln)
	return c, ln.Addr().String(), func() { srv.Close() }, nil
}
