//go:build unix

package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func TestProxyCountsRequestsAndKeepsHost(t *testing.T) {
	var mu sync.Mutex
	var hosts []string
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hosts = append(hosts, r.Host)
		mu.Unlock()
		io.WriteString(w, r.Method+" "+r.URL.RequestURI())
	}))
	defer backend.Close()
	counter, addr, stop, err := startCountingProxy(strings.TrimPrefix(backend.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	for _, path := range []string{"/bucket/a", "/bucket/?list-type=2&prefix=x%2F", "/bucket/b"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != "GET "+path {
			t.Errorf("backend saw %q, want GET %s", body, path)
		}
	}
	if n := counter.take(); n != 3 {
		t.Errorf("counted %d requests, want 3", n)
	}
	if n := counter.take(); n != 0 {
		t.Errorf("take did not reset: %d", n)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, h := range hosts {
		if h != addr {
			t.Errorf("backend saw Host %q, want the proxy's %q (signatures cover it)", h, addr)
		}
	}
}
