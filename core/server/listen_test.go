package server_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/remote"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// TestTLS: with --tls-cert/--tls-key the server speaks HTTPS and HTTP/2;
// the client trusts a private CA through its CA file and refuses a server
// it cannot verify.
func TestTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key := testserver.SelfSigned(t, dir)
	srv := testserver.Start(t, testserver.Options{Args: []string{"--tls-cert", cert, "--tls-key", key}})
	if !strings.HasPrefix(srv.URL, "https://") {
		t.Fatalf("server URL %s", srv.URL)
	}
	tok := srv.Token("ci", "admin")
	be, err := remote.New(remote.Options{URL: srv.Repo("ci"), Token: tok, CAFile: cert})
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	ctx := t.Context()
	if err := be.Create(ctx); err != nil {
		t.Fatal(err)
	}
	data, n := storagetest.Blob(1 << 20)
	h := storage.Handle{Kind: storage.KindData, Name: n}
	put(t, be, h, data)
	if got := load(t, be, h); string(got) != string(data) {
		t.Fatal("object read back wrong over TLS")
	}
	pool := x509.NewCertPool()
	pem, _ := os.ReadFile(cert)
	pool.AppendCertsFromPEM(pem)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	resp, err := hc.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 {
		t.Errorf("the server answered over %s, want HTTP/2", resp.Proto)
	}
	// Without the CA the certificate is refused, at once (no retries).
	untrusting, _ := remote.New(remote.Options{URL: srv.Repo("ci"), Token: tok})
	_, err = untrusting.Stat(ctx, h)
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("a client without the CA: %v", err)
	}
	if untrusting.Requests().Head != 1 {
		t.Errorf("a certificate error was tried %d times", untrusting.Requests().Head)
	}
}

// TestPlainHTTPOnlyOnLoopback: plain HTTP on a non-loopback address is a
// start-up error unless --insecure-listen is given by name.
func TestPlainHTTPOnlyOnLoopback(t *testing.T) {
	bin := testserver.Binary(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--listen", "0.0.0.0:0", "--storage", t.TempDir())
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "--insecure-listen") {
		t.Fatalf("plain HTTP on 0.0.0.0: %v\n%s", err, out)
	}
	srv := testserver.Start(t, testserver.Options{Addr: "0.0.0.0:0", Args: []string{"--insecure-listen"}})
	_, port, _ := net.SplitHostPort(srv.Addr)
	resp, err := http.Get("http://127.0.0.1:" + port + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: HTTP %d", resp.StatusCode)
	}
}
