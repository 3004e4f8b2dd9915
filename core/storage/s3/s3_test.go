package s3_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/s3"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/testenv"
)

// server is the MinIO started by scripts/services/minio.sh.
type server struct {
	endpoint, access, secret string
}

func minio(t testing.TB) server {
	t.Helper()
	m := testenv.RequireMinIO(t)
	return server{
		endpoint: m.Endpoint,
		access:   m.AccessKey,
		secret:   m.SecretKey,
	}
}

// options returns Options for a fresh bucket on the test server.
func (s server) options() s3.Options {
	return s3.Options{
		Bucket:      testenv.Unique("sp-test-"),
		Prefix:      "repo/" + testenv.Unique("p"),
		Endpoint:    s.endpoint,
		Insecure:    true,
		PathStyle:   true,
		Credentials: credentials.NewStaticV4(s.access, s.secret, ""),
	}
}

// newBackend returns a backend for opts, closed when the test ends; its
// bucket is not created.
func newBackend(t testing.TB, opts s3.Options) *s3.Backend {
	t.Helper()
	b, err := s3.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// open returns a created backend for opts.
func open(t testing.TB, opts s3.Options) *s3.Backend {
	t.Helper()
	b, err := s3.New(opts)
	return storagetest.Created(t, b, err)
}

func TestConformance(t *testing.T) {
	srv := minio(t)
	storagetest.Run(t, func(t *testing.T) storage.Backend { return open(t, srv.options()) })
}

func TestConformanceNoPrefix(t *testing.T) {
	srv := minio(t)
	storagetest.Run(t, func(t *testing.T) storage.Backend {
		o := srv.options()
		o.Prefix = ""
		return open(t, o)
	})
}

func TestCreateExisting(t *testing.T) {
	srv := minio(t)
	o := srv.options()
	open(t, o)
	b := open(t, o) // a second init of the same bucket is fine
	if err := b.Create(t.Context()); err != nil {
		t.Fatalf("Create on an existing bucket: %v", err)
	}
}

// headerLog records the x-amz-storage-class header of every PUT by path.
type headerLog struct {
	mu    sync.Mutex
	class map[string]string
	next  http.RoundTripper
}

func (l *headerLog) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPut && strings.Contains(req.URL.Path, "/repo/") {
		l.mu.Lock()
		l.class[req.URL.Path] = req.Header.Get("X-Amz-Storage-Class")
		l.mu.Unlock()
	}
	return l.next.RoundTrip(req)
}

func TestStorageClassOnlyOnData(t *testing.T) {
	srv := minio(t)
	log := &headerLog{class: map[string]string{}}
	o := srv.options()
	o.StorageClass = "STANDARD"
	o.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { log.next = rt; return log }
	b := open(t, o)
	ctx := t.Context()
	data, name := storagetest.Blob(100)
	for _, k := range []storage.Kind{storage.KindData, storage.KindMeta, storage.KindIndex, storage.KindSnapshot} {
		if err := b.Save(ctx, storage.Handle{Kind: k, Name: name}, data); err != nil {
			t.Fatal(err)
		}
	}
	for p, c := range log.class {
		isData := strings.Contains(p, "/data/")
		if isData != (c == "STANDARD") {
			t.Errorf("PUT %s: storage class %q", p, c)
		}
	}
	if len(log.class) != 4 {
		t.Fatalf("logged %d PUTs, want 4: %v", len(log.class), log.class)
	}
}

func TestKeyLayout(t *testing.T) {
	srv := minio(t)
	o := srv.options()
	log := &headerLog{class: map[string]string{}}
	o.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { log.next = rt; return log }
	b := open(t, o)
	data, name := storagetest.Blob(10)
	if err := b.Save(t.Context(), storage.Handle{Kind: storage.KindIndex, Name: name}, data); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("/%s/%s/index/%s", o.Bucket, o.Prefix, name)
	if _, ok := log.class[want]; !ok {
		t.Fatalf("PUT paths %v, want %s", log.class, want)
	}
	if loc := b.Location(); !strings.Contains(loc, "s3://"+o.Bucket+"/"+o.Prefix) || strings.Contains(loc, srv.secret) || strings.Contains(loc, srv.access) {
		t.Fatalf("Location() = %q", loc)
	}
}

// TestNames: the prefixes directly below a backend's prefix are the names
// of a server's repositories; the parent's bucket is created first, as
// `savepoint serve` finds it.
func TestNames(t *testing.T) {
	srv := minio(t)
	for _, prefix := range []string{"", "servers/" + testenv.Unique("p")} {
		o := srv.options()
		o.Prefix = prefix
		parent := open(t, o)
		storagetest.Names(t, parent, func(t *testing.T, name string) storage.Backend {
			co := o
			co.Prefix = strings.TrimPrefix(prefix+"/"+name, "/")
			b := newBackend(t, co)
			return b
		})
	}
}
