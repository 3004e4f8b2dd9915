package s3_test

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/s3"
)

var config = storage.Handle{Kind: storage.KindConfig, Name: "config"}

// checkLine fails unless err wraps want and is one line free of secrets.
func checkLine(t *testing.T, what string, err, want error, secrets ...string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got %v, want %v", what, err, want)
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\r\n") {
		t.Fatalf("%s: message is not one line: %q", what, msg)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(msg, s) {
			t.Fatalf("%s: message leaks a credential: %q", what, msg)
		}
	}
	t.Logf("%s: %s", what, msg)
}

func TestMissingBucket(t *testing.T) {
	srv := minio(t)
	b := newBackend(t, srv.options()) // not created
	ctx := t.Context()
	_, err := b.Load(ctx, config, 0, 0)
	checkLine(t, "Load", err, storage.ErrNoContainer)
	checkLine(t, "Save", b.Save(ctx, config, []byte("x")), storage.ErrNoContainer)
	checkLine(t, "List", b.List(ctx, storage.KindSnapshot, func(storage.Info) error { return nil }), storage.ErrNoContainer)
	if !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("message does not name the cause: %v", err)
	}
}

func TestWrongCredentials(t *testing.T) {
	srv := minio(t)
	good := open(t, srv.options())
	ctx := t.Context()
	for _, tc := range []struct{ name, access, secret string }{
		{"wrong secret", srv.access, "not-the-secret-0123456789"},
		{"unknown access key", "AKIDUNKNOWN0123", "not-the-secret-0123456789"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := srv.options()
			o.Bucket = strings.TrimPrefix(good.Location(), "s3://")
			o.Bucket = o.Bucket[:strings.IndexByte(o.Bucket, '/')]
			o.Credentials = credentials.NewStaticV4(tc.access, tc.secret, "")
			b := newBackend(t, o)
			_, err := b.Load(ctx, config, 0, 0)
			checkLine(t, "Load", err, storage.ErrPermission, tc.secret, srv.secret)
			checkLine(t, "Save", b.Save(ctx, config, []byte("x")), storage.ErrPermission, tc.secret, srv.secret)
			checkLine(t, "Create", b.Create(ctx), storage.ErrPermission, tc.secret, srv.secret)
			if r := b.Requests(); r.Total() > 4 {
				t.Fatalf("a refused signature must not be retried: %+v", r)
			}
		})
	}
}

func TestUnreachableEndpoint(t *testing.T) {
	// A port nobody listens on: bind, note the port, close.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	b := newBackend(t, s3.Options{
		Bucket: "nowhere", Endpoint: addr, Insecure: true, PathStyle: true,
		Credentials: credentials.NewStaticV4("a", "b", ""),
	})
	ctx := t.Context()
	_, err = b.Load(ctx, config, 0, 0)
	checkLine(t, "Load", err, storage.ErrUnavailable)
	if !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("message does not name the cause: %v", err)
	}
	// The refused budget (3 attempts) ends the operation, not the
	// ten-attempt retry loop: that is what keeps this fast.
	if r := b.Requests(); r.Get != 3 {
		t.Fatalf("refused connections: %d attempts, want 3", r.Get)
	}
	checkLine(t, "Save", b.Save(ctx, config, []byte("x")), storage.ErrUnavailable)
	checkLine(t, "Create", b.Create(ctx), storage.ErrUnavailable)
}

func TestUnknownHost(t *testing.T) {
	b := newBackend(t, s3.Options{
		Bucket: "nowhere", Endpoint: "savepoint-no-such-host.invalid:9000", Insecure: true, PathStyle: true,
		Credentials: credentials.NewStaticV4("a", "b", ""),
	})
	_, err := b.Stat(t.Context(), config)
	checkLine(t, "Stat", err, storage.ErrUnavailable)
}

func TestInvalidOptions(t *testing.T) {
	for _, o := range []s3.Options{
		{},
		{Bucket: "b", Endpoint: "ftp://host"},
		{Bucket: "b", Endpoint: "host/path"},
		{Bucket: "b", CAFile: "/nonexistent/ca.pem"},
	} {
		if _, err := s3.New(o); !errors.Is(err, storage.ErrInvalid) {
			t.Errorf("New(%+v) = %v, want ErrInvalid", o, err)
		}
	}
}
