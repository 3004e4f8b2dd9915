package oci

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/transfer"
)

// countingTransport counts every request the server answered, by HTTP method
// (tags-list GETs as LIST; POST and PATCH of uploads as PUT), and refuses
// plain HTTP unless it is allowed. It sits under the auth transport, so the
// ping and token requests are counted too (as GET).
type countingTransport struct {
	inner     http.RoundTripper
	c         *storage.Counter
	allowHTTP bool
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" && !t.allowHTTP {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, errPlainHTTP
	}
	res, err := t.inner.RoundTrip(req)
	if err != nil {
		return nil, err // not answered: not a billed request
	}
	t.c.AddHTTP(req.Method, strings.HasSuffix(req.URL.Path, "/tags/list"))
	return res, nil
}

// Scope actions of the three transports a backend may open.
const (
	scopePull   = transport.PullScope
	scopePush   = transport.PushScope
	scopeDelete = transport.DeleteScope
)

// transport returns the authenticated transport for the given actions. The
// first call pings the registry (GET /v2/) for its auth challenge and scheme;
// each set of actions then costs one token request on registries that use
// bearer tokens, and nothing on others.
func (b *Backend) transport(ctx context.Context, actions string) (http.RoundTripper, error) {
	if actions == scopePush {
		// Writers ask for delete too, so a session that saves and then
		// removes its marker needs one token, not two.
		actions = scopeDelete
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if t := b.transports[actions]; t != nil {
		return t, nil
	}
	if b.challenge == nil {
		var pr *transport.Challenge
		err := b.retry(ctx, func() error {
			var err error
			pr, err = transport.Ping(ctx, b.repo.Registry, b.base)
			return err
		})
		if err != nil {
			return nil, b.translate("connecting", "", err)
		}
		b.challenge = pr
		b.scheme = "https"
		if pr.Insecure {
			b.scheme = "http"
		}
	}
	pr := b.challenge
	tok := &transport.Token{}
	if strings.EqualFold(pr.Scheme, "bearer") {
		exchange := func(actions string) error {
			return b.retry(ctx, func() error {
				var err error
				tok, err = transport.Exchange(ctx, b.repo.Registry, b.auth, b.base, []string{b.repo.Scope(actions)}, pr)
				return err
			})
		}
		err := exchange(actions)
		if err != nil && actions == scopeDelete {
			// Token services that do not know the "delete" action, or
			// credentials without it, may refuse the whole request:
			// writing (and deleting, where push allows it) rests on push.
			if s := statusOf(err); s == http.StatusUnauthorized || s == http.StatusForbidden || s == http.StatusBadRequest {
				err = exchange(scopePush)
			}
		}
		if err != nil {
			return nil, b.translate("authenticating", "", err)
		}
		if tok.Token == "" {
			tok.Token = tok.AccessToken
		}
	}
	t, err := transport.FromToken(b.repo.Registry, b.auth, b.base, pr, tok)
	if err != nil {
		return nil, b.translate("authenticating", "", err)
	}
	b.transports[actions] = t
	return t, nil
}

// request is one registry call: build makes a fresh request (so it can be
// retried), ok lists the accepted status codes.
type request struct {
	actions string
	build   func(ctx context.Context) (*http.Request, error)
	ok      []int
	once    bool // the caller retries (a sequence of requests)
	// settle marks a request that changes what readers see (pushing or
	// deleting a manifest). A caller's cancellation does not abandon it
	// once sent: the registry may still apply an abandoned request after
	// the call returned, so an object would appear (or vanish) after its
	// Save (or Remove) reported the cancellation, and the tags cache,
	// dropped when the call returns, could keep a listing taken before
	// the change landed. The attempt under way runs to the registry's
	// answer (the idle timeout still bounds it); no attempt starts after
	// the cancellation.
	settle bool
}

// do runs r, retrying temporary failures, and returns the response whose
// status is one of r.ok; any other status becomes a *transport.Error.
func (b *Backend) do(ctx context.Context, r request) (*http.Response, error) {
	rt, err := b.transport(ctx, r.actions)
	if err != nil {
		return nil, err
	}
	send := ctx
	if r.settle {
		if err := ctx.Err(); err != nil {
			return nil, err // nothing sent: nothing changes
		}
		send = context.WithoutCancel(ctx)
	}
	var resp *http.Response
	try := b.retry
	if r.once {
		try = func(_ context.Context, fn func() error) error { return fn() }
	}
	method := ""
	defer func() { b.noteRequest(method, err) }()
	err = try(ctx, func() error {
		req, err := r.build(send)
		if err != nil {
			return err
		}
		if method == "" || (req.Method != http.MethodGet && req.Method != http.MethodHead) {
			method = req.Method
		}
		// A client, not the bare transport, so blob downloads follow the
		// redirects of registries that serve blobs from a CDN or object
		// store (GHCR, S3-backed registries); the auth transports send
		// credentials to the registry host only.
		res, err := (&http.Client{Transport: rt}).Do(req)
		if err != nil {
			return err
		}
		if err := transport.CheckError(res, r.ok...); err != nil {
			res.Body.Close()
			return err
		}
		resp = res
		return nil
	})
	return resp, err
}

// drain closes a response after reading what is left of a small body, so the
// connection can be reused.
func drain(res *http.Response) {
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
}

const attempts = 4

// retry runs fn until it succeeds, fails permanently, or attempts run out,
// waiting RetryDelay, then twice and four times as long, with jitter.
// Temporary failures are 408, 429, 5xx and network errors.
func (b *Backend) retry(ctx context.Context, fn func() error) error {
	var err error
	for i := 0; i < attempts; i++ {
		if i > 0 {
			d := b.retryDelay << (i - 1)
			d += time.Duration(rand.Int64N(int64(d)/2 + 1))
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(d):
			}
		}
		if err = fn(); err == nil {
			return nil
		}
		// A cancelled caller gets the cancellation, whatever the
		// registry answered meanwhile.
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !temporary(ctx, err) {
			return err
		}
	}
	return err
}

func temporary(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, errPlainHTTP) || tlsProblem(err) != "" {
		return false
	}
	var te *transport.Error
	if errors.As(err, &te) {
		switch {
		case te.StatusCode == http.StatusRequestTimeout, te.StatusCode == http.StatusTooManyRequests, te.StatusCode >= 500:
			return true
		}
		return false
	}
	return true // connection refused, reset, timeouts
}

// translate turns a registry or network error into a storage sentinel with
// one readable line. Messages never contain URLs (signed redirect URLs carry
// credentials) nor tokens.
func (b *Backend) translate(op string, what string, err error) error {
	if err == nil {
		return nil
	}
	for _, s := range []error{storage.ErrNotFound, storage.ErrNoContainer, storage.ErrPermission, storage.ErrUnavailable, storage.ErrInvalid} {
		if errors.Is(err, s) {
			return err // translated already
		}
	}
	prefix := fmt.Sprintf("oci %s: %s", b.repo, op)
	if what != "" {
		prefix += " " + what
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", prefix, err)
	}
	if errors.Is(err, errPlainHTTP) || strings.Contains(err.Error(), errPlainHTTP.Error()) ||
		strings.Contains(err.Error(), "server gave HTTP response to HTTPS client") {
		return fmt.Errorf("%s: registry %s could not be reached over HTTPS: %w", prefix, b.repo.RegistryStr(), ErrPlainHTTP)
	}
	if p := tlsProblem(err); p != "" {
		return fmt.Errorf("%s: registry %s: %s; add its CA to the system trust store (or SSL_CERT_FILE): %w", prefix, b.repo.RegistryStr(), p, ErrUntrusted)
	}
	var te *transport.Error
	if !errors.As(err, &te) {
		return fmt.Errorf("%s: registry %s unreachable: %s: %w", prefix, b.repo.RegistryStr(), transfer.ShortNetError(err), storage.ErrUnavailable)
	}
	detail := describe(te)
	code := func(c transport.ErrorCode) bool {
		for _, d := range te.Errors {
			if d.Code == c {
				return true
			}
		}
		return false
	}
	switch {
	case te.StatusCode == http.StatusUnauthorized || te.StatusCode == http.StatusForbidden ||
		code(transport.UnauthorizedErrorCode) || code(transport.DeniedErrorCode):
		if b.auth == authn.Anonymous {
			return fmt.Errorf("%s (%s): %w", prefix, detail, ErrNoCredentials)
		}
		return fmt.Errorf("%s (%s): %w", prefix, detail, ErrCredentialsRefused)
	case code(transport.NameUnknownErrorCode):
		return fmt.Errorf("%s: repository %s does not exist (%s): %w (%w)", prefix, b.repo, detail, storage.ErrNoContainer, storage.ErrNotFound)
	case te.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%s: %s: %w", prefix, detail, storage.ErrNotFound)
	case code(transport.ManifestInvalidErrorCode) || te.StatusCode == http.StatusUnsupportedMediaType ||
		(code(transport.UnsupportedErrorCode) && op == "saving"):
		return fmt.Errorf("%s: registry %s refused savepoint's OCI artifact manifest (%s); it needs OCI artifact support (OCI image-spec 1.1: artifactType, empty config): %w", prefix, b.repo.RegistryStr(), detail, storage.ErrInvalid)
	case te.StatusCode == http.StatusMethodNotAllowed || code(transport.UnsupportedErrorCode):
		return fmt.Errorf("%s: registry %s does not allow this operation (%s); deleting needs deletion enabled on the registry: %w", prefix, b.repo.RegistryStr(), detail, storage.ErrInvalid)
	case te.StatusCode == http.StatusTooManyRequests || te.StatusCode >= 500:
		return fmt.Errorf("%s: registry kept failing (%s): %w", prefix, detail, storage.ErrUnavailable)
	}
	return fmt.Errorf("%s: registry refused the request (%s): %w", prefix, detail, storage.ErrInvalid)
}

// describe summarises a registry error without its request URL.
func describe(te *transport.Error) string {
	s := fmt.Sprintf("HTTP %d", te.StatusCode)
	for i, d := range te.Errors {
		if i == 2 {
			break
		}
		msg := strings.Join(strings.Fields(d.Message), " ")
		if len(msg) > 200 {
			msg = msg[:200] + "..."
		}
		s += " " + string(d.Code)
		if msg != "" {
			s += ": " + msg
		}
	}
	return s
}

// tlsProblem describes a certificate error (permanent: retrying cannot help),
// or returns "".
func tlsProblem(err error) string {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var host x509.HostnameError
	var verify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &unknown), errors.As(err, &verify) && errors.As(verify.Err, &unknown):
		return "its TLS certificate is signed by an unknown authority"
	case errors.As(err, &host):
		return "its TLS certificate is not valid for this host name"
	case errors.As(err, &invalid):
		return "its TLS certificate is invalid or expired"
	case errors.As(err, &verify):
		return "its TLS certificate could not be verified"
	}
	return ""
}
