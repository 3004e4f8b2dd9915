package oci_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/oci"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/testregistry"
)

// anonymous keeps tests independent of the machine's docker config.
var anonymous = authn.NewMultiKeychain()

// oneLine fails unless err is a single line that does not contain secret.
func oneLine(t *testing.T, err error, secret string) {
	t.Helper()
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error is not one line: %q", msg)
	}
	if secret != "" && strings.Contains(msg, secret) {
		t.Errorf("error shows a secret: %q", msg)
	}
}

func TestAuth(t *testing.T) {
	host := inProcess(t, testregistry.BasicAuth("alice", "right-password"))
	ctx := t.Context()
	data, name := storagetest.Blob(100)
	h := storage.Handle{Kind: storage.KindData, Name: name}
	for _, tc := range []struct {
		name string
		opts oci.Options
		want error // the case, for the caller's advice
	}{
		{"wrong password", oci.Options{Username: "alice", Password: "wrong-password-123", Keychain: anonymous}, oci.ErrCredentialsRefused},
		{"no credentials", oci.Options{Keychain: anonymous}, oci.ErrNoCredentials},
	} {
		b, err := oci.New("oci://"+host+"/team/app", tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		err = b.Save(ctx, h, data)
		if !errors.Is(err, storage.ErrPermission) || !errors.Is(err, tc.want) {
			t.Fatalf("%s: Save = %v, want ErrPermission and %v", tc.name, err, tc.want)
		}
		oneLine(t, err, "wrong-password-123")
		t.Log(err)
		if _, err := b.Load(ctx, h, 0, 0); !errors.Is(err, storage.ErrPermission) {
			t.Fatalf("%s: Load = %v, want ErrPermission", tc.name, err)
		}
	}
	b, _ := oci.New("oci://"+host+"/team/app", oci.Options{Username: "alice", Password: "right-password"})
	if err := b.Save(ctx, h, data); err != nil {
		t.Fatalf("right credentials: %v", err)
	}
}

func TestMissingRepository(t *testing.T) {
	for _, reg := range registries(t) {
		t.Run(reg.name, func(t *testing.T) {
			b, _ := oci.New("oci://"+reg.host+"/nobody/never-pushed", oci.Options{Keychain: anonymous})
			_, err := b.Load(t.Context(), storage.Handle{Kind: storage.KindConfig, Name: "config"}, 0, 0)
			if !errors.Is(err, storage.ErrNoContainer) || !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("config of a missing repository: %v, want ErrNoContainer and ErrNotFound", err)
			}
			oneLine(t, err, "")
			n := 0
			if err := b.List(t.Context(), storage.KindSnapshot, func(storage.Info) error { n++; return nil }); err != nil || n != 0 {
				t.Fatalf("List in a missing repository: %d objects, %v", n, err)
			}
		})
	}
}

// TestRefusedArtifacts: a registry that does not accept OCI artifact
// manifests makes Save fail with ErrInvalid and a line that says why.
func TestRefusedArtifacts(t *testing.T) {
	manifestPut := func(r *http.Request) bool {
		return r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/")
	}
	host := inProcess(t, testregistry.Refuse(manifestPut, http.StatusBadRequest, "MANIFEST_INVALID", "manifest invalid"))
	b := newBackend(t, host, oci.Options{Keychain: anonymous})
	data, name := storagetest.Blob(100)
	err := b.Save(t.Context(), storage.Handle{Kind: storage.KindSnapshot, Name: name}, data)
	if !errors.Is(err, storage.ErrInvalid) || !strings.Contains(err.Error(), "OCI artifact") {
		t.Fatalf("Save to a registry refusing artifacts: %v, want ErrInvalid naming OCI artifacts", err)
	}
	oneLine(t, err, "")
	t.Log(err)
}

func TestUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	host := strings.TrimPrefix(srv.URL, "http://")
	srv.Close()
	b, _ := oci.New("oci://"+host+"/a/b", oci.Options{Keychain: anonymous, RetryDelay: time.Millisecond})
	_, err := b.Stat(t.Context(), storage.Handle{Kind: storage.KindConfig, Name: "config"})
	if !errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("Stat on a closed port: %v, want ErrUnavailable", err)
	}
	oneLine(t, err, "")
	t.Log(err)
}

// redirect sends every request, whatever its host, to addr: it lets a test
// talk to a loopback server under a non-loopback registry name.
type redirect struct{ addr string }

func (r redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Host = r.addr
	return http.DefaultTransport.RoundTrip(req)
}

func TestPlainHTTPOnlyWhenAllowed(t *testing.T) {
	addr := inProcess(t, nil)
	ctx := t.Context()
	data, name := storagetest.Blob(100)
	h := storage.Handle{Kind: storage.KindData, Name: name}

	b, _ := oci.New("oci://registry.example.com:5000/a/b", oci.Options{Keychain: anonymous, Transport: redirect{addr}, RetryDelay: time.Millisecond})
	err := b.Save(ctx, h, data)
	if !errors.Is(err, storage.ErrUnavailable) || !errors.Is(err, oci.ErrPlainHTTP) {
		t.Fatalf("plain HTTP to a non-loopback registry: %v, want ErrUnavailable and ErrPlainHTTP", err)
	}
	oneLine(t, err, "")
	t.Log(err)
	b, _ = oci.New("oci://registry.example.com:5000/a/b", oci.Options{Keychain: anonymous, Transport: redirect{addr}, Insecure: true})
	if err := b.Save(ctx, h, data); err != nil {
		t.Fatalf("with Insecure: %v", err)
	}
}

type namedRegistry struct{ name, host string }

// registries returns the in-process registry and, when started, the real one.
func registries(t *testing.T) []namedRegistry {
	regs := []namedRegistry{{"in-process", inProcess(t, nil)}}
	if testing.Short() {
		return regs
	}
	return append(regs, namedRegistry{"distribution", requireRegistry(t)})
}

func TestUntrustedCertificate(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "https://")
	b, _ := oci.New("oci://"+host+"/a/b", oci.Options{Keychain: anonymous, RetryDelay: time.Millisecond})
	_, err := b.Stat(t.Context(), storage.Handle{Kind: storage.KindConfig, Name: "config"})
	if !errors.Is(err, storage.ErrUnavailable) || !strings.Contains(err.Error(), "unknown authority") {
		t.Fatalf("Stat on a registry with a self-signed certificate: %v", err)
	}
	oneLine(t, err, "")
	t.Log(err)
}
