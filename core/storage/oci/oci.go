// Package oci is a storage.Backend that keeps a savepoint repository in an
// OCI registry repository (GHCR, the GitLab registry, Harbor, distribution),
// through go-containerregistry's transport and keychain.
//
// Every object is a blob whose digest is the SHA-256 of its bytes, and every
// object is referenced by one tagged OCI artifact manifest, so the registry
// lists objects through its tags API and its garbage collection never reaps a
// blob that is still part of the repository. The mapping is documented in
// docs/FORMAT.md ("OCI mapping").
package oci

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/transfer"
)

// Options configure a Backend. The zero value is usable: credentials come
// from the docker keychain, TLS is required except on loopback addresses.
type Options struct {
	// Username and Password, when Username is set, are used instead of the
	// keychain (docker config.json and credential helpers).
	Username string
	Password string
	// Keychain resolves credentials when Username is empty; nil means
	// authn.DefaultKeychain.
	Keychain authn.Keychain
	// Insecure allows plain HTTP to a registry that is not on a loopback
	// address (loopback registries may always use plain HTTP).
	Insecure bool
	// Transport is the base HTTP transport; nil means a clone of
	// http.DefaultTransport.
	Transport http.RoundTripper
	// IdleTimeout fails a request that moves no byte for that long while
	// sending, waiting for the answer or receiving it (0:
	// transfer.DefaultIdle, 5s); it is retried at once on a fresh
	// connection, and a stalled download resumes where it stopped.
	IdleTimeout time.Duration
	// PageSize is the number of tags asked for per tags-list request
	// (default 1000).
	PageSize int
	// Connections bounds the parallel manifest GETs of List (default 8).
	Connections int
	// RetryDelay is the wait before the first retry of a request that failed
	// temporarily (5xx, 429, network); later retries wait 2x and 4x as long.
	// Default 250ms.
	RetryDelay time.Duration
	// Now gives the creation time recorded in manifests; nil means time.Now.
	Now func() time.Time
}

// Backend stores objects in one registry repository. It is safe for
// concurrent use.
type Backend struct {
	storage.Counter
	repo name.Repository
	auth authn.Authenticator
	base http.RoundTripper // counting, plain-HTTP policy applied
	// ownTransport is the HTTP transport New made (nil when given one).
	ownTransport *http.Transport
	pageSize     int
	now          func() time.Time
	retryDelay   time.Duration
	connections  int

	mu         sync.Mutex
	challenge  *transport.Challenge         // the ping's answer, once pinged
	scheme     string                       // "https", or "http" where allowed
	transports map[string]http.RoundTripper // by scope actions

	emptyMu    sync.Mutex
	emptyReady bool
	// tagDeleteUseless is set once the registry showed that deleting a
	// manifest by digest also removes its tag (distribution does; the
	// in-process registry does not), saving one request per Remove.
	tagDeleteUseless atomic.Bool
	// noDelete is set once the registry refused the DELETE API (GHCR):
	// Remove then writes tombstones straight away.
	noDelete atomic.Bool
	// tagCache shares one tags listing between List calls (tagcache.go).
	tagCache tagCache
	// ownSessions maps the tags of session markers this backend pushed to
	// their manifest digests.
	ownSessions sync.Map
}

// New returns a backend for ref, "registry/namespace/name" (no scheme, no
// tag). It does not contact the registry.
func New(ref string, opts Options) (*Backend, error) {
	ref = strings.TrimSuffix(strings.TrimPrefix(ref, "oci://"), "/")
	if ref == "" || strings.ContainsAny(ref, "@") || strings.Count(ref, "/") < 1 {
		return nil, fmt.Errorf("oci repository %q: want oci://registry/namespace/name: %w", ref, storage.ErrInvalid)
	}
	host := ref[:strings.Index(ref, "/")]
	if !strings.ContainsAny(host, ".:") && host != "localhost" {
		return nil, fmt.Errorf("oci repository %q: the first path element must be a registry host (e.g. ghcr.io): %w", ref, storage.ErrInvalid)
	}
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return nil, fmt.Errorf("oci repository %q: a repository URL takes no tag: %w", ref, storage.ErrInvalid)
	}
	plain := opts.Insecure || isLoopback(host)
	nopts := []name.Option{name.StrictValidation}
	if plain {
		nopts = append(nopts, name.Insecure)
	}
	if strings.ToLower(ref[len(host):]) != ref[len(host):] {
		return nil, fmt.Errorf("oci repository %q: registry repository names are lowercase: %w", ref, storage.ErrInvalid)
	}
	repo, err := name.NewRepository(ref, nopts...)
	if err != nil {
		return nil, fmt.Errorf("oci repository %q: %v: %w", ref, err, storage.ErrInvalid)
	}
	b := &Backend{repo: repo, pageSize: opts.PageSize, now: opts.Now, transports: map[string]http.RoundTripper{}}
	if b.pageSize <= 0 {
		b.pageSize = 1000
	}
	if b.connections = opts.Connections; b.connections <= 0 {
		b.connections = 8
	}
	if b.retryDelay = opts.RetryDelay; b.retryDelay <= 0 {
		b.retryDelay = 250 * time.Millisecond
	}
	if b.now == nil {
		b.now = time.Now
	}
	switch {
	case opts.Username != "":
		b.auth = authn.FromConfig(authn.AuthConfig{Username: opts.Username, Password: opts.Password})
	default:
		kc := opts.Keychain
		if kc == nil {
			kc = authn.DefaultKeychain
		}
		a, err := kc.Resolve(repo)
		if err != nil {
			return nil, fmt.Errorf("oci %s: reading registry credentials: %v: %w", repo, err, storage.ErrPermission)
		}
		b.auth = a
	}
	inner := opts.Transport
	if inner == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		// HTTP/1 only: each transfer has a connection of its own, closed
		// with its request when it stalls, so the retry goes out on
		// another (over HTTP/2 every request would share the stalled one).
		t.Protocols = new(http.Protocols)
		t.Protocols.SetHTTP1(true)
		inner, b.ownTransport = t, t
	}
	// A registry that stops sending or answering must not hang a CI job.
	idle := transfer.NewIdleTransport(inner, opts.IdleTimeout)
	b.base = &countingTransport{inner: idle, c: &b.Counter, allowHTTP: plain}
	return b, nil
}

// Location is the repository reference, without credentials.
func (b *Backend) Location() string { return "oci://" + b.repo.String() }

// Close closes the idle connections of the backend's own HTTP transport.
func (b *Backend) Close() error {
	if b.ownTransport != nil {
		b.ownTransport.CloseIdleConnections()
	}
	return nil
}

// Create checks that the credentials may push to the repository and stores
// the empty config blob every manifest refers to. Registries create a
// repository on its first push, so there is nothing else to create.
func (b *Backend) Create(ctx context.Context) error {
	return b.ensureEmpty(ctx)
}

func isLoopback(host string) bool {
	h := host
	if sh, _, err := net.SplitHostPort(host); err == nil {
		h = sh
	}
	h = strings.Trim(h, "[]")
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
