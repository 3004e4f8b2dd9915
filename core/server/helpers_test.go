package server_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/remote"
	"github.com/savepoint-ci/savepoint/core/storage/remote/protocol"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// raw speaks the protocol by hand, with one token: what a compromised
// job holding that token could send.
type raw struct {
	t     *testing.T
	base  string // server URL
	token string
	hc    *http.Client
}

func newRaw(t *testing.T, srv *testserver.Server, token string) *raw {
	return &raw{t: t, base: srv.URL, token: token, hc: http.DefaultClient}
}

// answer is one response.
type answer struct {
	status int
	body   []byte
	err    protocol.Error
	header http.Header
}

func (c *raw) do(method, path string, body []byte, hdr ...string) answer {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	a.body, _ = io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		json.Unmarshal(a.body, &a.err)
	}
	return a
}

// backend is the client backend of repository name with token.
func backend(t *testing.T, srv *testserver.Server, name, token string) *remote.Backend {
	t.Helper()
	be, err := remote.New(remote.Options{URL: srv.Repo(name), Token: token})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { be.Close() })
	return be
}

// created is backend for a repository it creates first.
func created(t *testing.T, srv *testserver.Server, name, token string) *remote.Backend {
	t.Helper()
	be, err := remote.New(remote.Options{URL: srv.Repo(name), Token: token})
	return storagetest.Created(t, be, err)
}

func digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// put saves an object through be or fails the test.
func put(t *testing.T, be storage.Backend, h storage.Handle, data []byte) {
	t.Helper()
	if err := be.Save(t.Context(), h, data); err != nil {
		t.Fatalf("Save(%s): %v", h, err)
	}
}

func load(t *testing.T, be storage.Backend, h storage.Handle) []byte {
	t.Helper()
	data, err := storage.LoadAll(t.Context(), be, h)
	if err != nil {
		t.Fatalf("Load(%s): %v", h, err)
	}
	return data
}
