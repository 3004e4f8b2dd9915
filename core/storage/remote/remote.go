// Package remote is the storage.Backend of repositories behind `savepoint
// serve`: https://HOST[:PORT]/NAME (http:// only to a loopback address).
// Each Backend method is one HTTP request (package protocol); retries
// follow the one policy in retry.go. An object request that moves no byte
// for the idle timeout (transfer.IdleTransport) is retried on a fresh
// connection; the server keeps a slow PUT's connection alive with 103
// Early Hints while it stores the object (package server). The server
// enforces the token's role; a refusal arrives as storage.ErrPermission
// naming the role needed.
package remote

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/remote/protocol"
	"github.com/savepoint-ci/savepoint/core/storage/transfer"
)

// Options configure a Backend.
type Options struct {
	// URL is https://HOST[:PORT]/NAME, or http://... for a loopback host.
	URL string
	// Token is the bearer token (SAVEPOINT_TOKEN or --token-file). Empty:
	// requests go without one and the server refuses them.
	Token string
	// CAFile is a PEM file of CA certificates to trust besides the
	// system's (a server with a private CA or a self-signed certificate).
	CAFile string
	// Connections is the number of parallel transfers the caller makes
	// (0: 8); that many connections are kept alive.
	Connections int
	// Retry is the retry policy (zero value: DefaultRetry).
	Retry RetryPolicy
	// IdleTimeout fails an attempt of an object request (save, load, stat,
	// list, remove) that moves no byte for that long while sending,
	// waiting for the answer or receiving it (0: transfer.DefaultIdle,
	// 5s); it is retried at once on a fresh connection, a download is
	// resumed. Maintenance requests have none (see Maintain).
	IdleTimeout time.Duration
	// WrapTransport, when set, wraps the HTTP transport below the idle
	// timeout and the request counter (fault injection in tests).
	WrapTransport func(http.RoundTripper) http.RoundTripper
}

// Backend is one repository on a savepoint server.
type Backend struct {
	storage.Counter
	base      *url.URL // scheme://host[:port]/NAME, no trailing slash
	name      string
	token     string
	client    *retryablehttp.Client // object requests: idle timeout, retries
	once      *retryablehttp.Client // maintenance: same connections, no idle timeout, no retries
	transport *http.Transport
}

var _ storage.Backend = (*Backend)(nil)

// Networked: every request crosses the network (storage.Networked).
func (b *Backend) Networked() bool { return true }

var _ storage.Creator = (*Backend)(nil)

// New returns a Backend for opts. It does not contact the server.
func New(opts Options) (*Backend, error) {
	u, name, err := ParseURL(opts.URL)
	if err != nil {
		return nil, err
	}
	b := &Backend{base: u, name: name, token: opts.Token}
	conns := opts.Connections
	if conns <= 0 {
		conns = 8
	}
	b.transport = &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        2*conns + 4,
		MaxIdleConnsPerHost: 2*conns + 4,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
		// No ResponseHeaderTimeout: object requests have the idle timeout,
		// and a maintenance request waits, silent, as long as the
		// operation runs on the server.
		ExpectContinueTimeout: time.Second,
		// HTTP/1.1 only, also over TLS: each transfer has a connection of
		// its own, closed with its attempt when it stalls, so the retry
		// goes out on a fresh one (over HTTP/2 every request would share
		// the stalled connection).
		Protocols: new(http.Protocols),
	}
	b.transport.Protocols.SetHTTP1(true)
	if b.transport.TLSClientConfig, err = TLSConfig(opts.CAFile); err != nil {
		return nil, err
	}
	var rt http.RoundTripper = b.transport
	if opts.WrapTransport != nil {
		rt = opts.WrapTransport(rt)
	}
	idle := transfer.NewIdleTransport(rt, opts.IdleTimeout)
	b.client = opts.Retry.client(&http.Client{Transport: &counting{next: idle, c: &b.Counter}, CheckRedirect: noRedirects})
	b.once = RetryPolicy{Attempts: 1}.client(&http.Client{Transport: &counting{next: rt, c: &b.Counter}, CheckRedirect: noRedirects})
	return b, nil
}

// ParseURL checks https://HOST[:PORT]/NAME (or http:// to a loopback
// host) and returns the URL without a trailing slash and the name.
func ParseURL(raw string) (*url.URL, string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, "", fmt.Errorf("server repository %q: %v: %w", raw, err, storage.ErrInvalid)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, "", fmt.Errorf("server repository %q: give https://HOST[:PORT]/NAME without credentials or query: %w", u.Redacted(), ErrTokenInURL)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopback(u.Hostname()) {
			return nil, "", fmt.Errorf("server repository %q: plain http:// only to a loopback address, the token would travel in clear text; use https://: %w", raw, storage.ErrInvalid)
		}
	default:
		return nil, "", fmt.Errorf("server repository %q: scheme must be https:// (or http:// on loopback): %w", raw, storage.ErrInvalid)
	}
	name := strings.Trim(u.Path, "/")
	if u.Host == "" || name == "" || strings.Contains(name, "/") {
		return nil, "", fmt.Errorf("server repository %q: give https://HOST[:PORT]/NAME with one repository NAME: %w", raw, storage.ErrInvalid)
	}
	if err := protocol.CheckRepoName(name); err != nil {
		return nil, "", err
	}
	u.Path = "/" + name
	return u, name, nil
}

// IsLoopback reports whether host (a name or an address, without port) is
// a loopback address; "localhost" counts.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Location returns the URL of the repository.
func (b *Backend) Location() string { return b.base.String() }

// Name is the repository's name on the server.
func (b *Backend) Name() string { return b.name }

// Close releases idle connections.
func (b *Backend) Close() error {
	b.transport.CloseIdleConnections()
	return nil
}

// Create asks the server to create the repository's container. An existing
// one is not an error.
func (b *Backend) Create(ctx context.Context) error {
	resp, err := b.do(ctx, b.client, http.MethodPost, b.base.String()+"/", nil, nil)
	if err != nil {
		return fmt.Errorf("creating repository %s: %w", b.name, err)
	}
	resp.Body.Close()
	return nil
}

// TLSConfig trusts the system's CAs and those of caFile, a PEM file (nil
// when caFile is empty: the default configuration). The management API's
// client (package client) uses it too.
func TLSConfig(caFile string) (*tls.Config, error) {
	if caFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("server CA file: %v: %w", err, storage.ErrInvalid)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("server CA file %s holds no PEM certificate: %w", caFile, storage.ErrInvalid)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}
