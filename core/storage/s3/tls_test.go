package s3_test

import (
	"encoding/pem"
	"io"
	"log"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/s3"
)

// tlsFront puts a TLS reverse proxy with a self-signed certificate in front
// of MinIO and returns its address and a PEM file of its certificate.
func tlsFront(t *testing.T, target string) (addr, caFile string) {
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: target})
	srv := httptest.NewUnstartedServer(rp)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake failures are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return srv.Listener.Addr().String(), caFile
}

func TestCustomCA(t *testing.T) {
	srv := minio(t)
	addr, ca := tlsFront(t, srv.endpoint)
	o := srv.options()
	o.Endpoint, o.Insecure, o.CAFile = "https://"+addr, false, ca
	b := open(t, o)
	data, name := []byte("over tls"), "tls-object"
	h := storage.Handle{Kind: storage.KindSession, Name: name}
	if err := b.Save(t.Context(), h, data); err != nil {
		t.Fatal(err)
	}
	if got, err := storage.LoadAll(t.Context(), b, h); err != nil || string(got) != string(data) {
		t.Fatalf("LoadAll over TLS = %q, %v", got, err)
	}

	// Without the CA the certificate is refused at once, not retried.
	o.CAFile = ""
	nb := newBackend(t, o)
	_, err := nb.Stat(t.Context(), h)
	checkLine(t, "untrusted certificate", err, s3.ErrUntrusted)
	if r := nb.Requests(); r.Total() != 1 {
		t.Fatalf("an untrusted certificate was retried: %+v", r)
	}
}

func TestHTTPSAgainstHTTP(t *testing.T) {
	srv := minio(t)
	o := srv.options()
	o.Insecure = false // MinIO speaks plain HTTP
	b := newBackend(t, o)
	_, err := b.Load(t.Context(), storage.Handle{Kind: storage.KindConfig, Name: "config"}, 0, 0)
	checkLine(t, "https to an http server", err, s3.ErrPlainHTTP)
}
