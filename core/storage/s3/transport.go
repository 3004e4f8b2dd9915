package s3

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/transfer"
)

// Retries
//
// All retrying happens in minio-go's request loop (Options.MaxRetries,
// default 10 attempts): it retries HTTP 408/429/499/500/502/503/504/520,
// the S3 codes SlowDown/InternalError/RequestTimeout/Throttling..., and
// every transport error (connection reset, timeout, EOF), sleeping a random
// time in [0, min(1s, 200ms*2^attempt)] (full jitter) between attempts.
// Nothing else retries requests, so the attempt counts stay predictable.
//
// Three additions live here, in the transport, because minio-go cannot know
// them:
//   - An idle timeout (transfer.IdleTransport, Options.IdleTimeout) fails
//     an attempt that moves no byte for that long, sending, waiting or
//     receiving, so a stalled connection becomes a retryable error within
//     seconds and the retry goes out on a fresh connection.
//   - A refused connection (nothing listens, unknown host, no route, dial
//     timeout) is not worth ten attempts: after RefusedAttempts of them the
//     transport cancels the whole operation with ErrUnavailable, so a wrong
//     endpoint fails within about a second instead of half a minute.
//   - Likewise an attempt that stalls (the idle timeout above): after
//     TimeoutAttempts of them the operation fails. A distributed MinIO that
//     lost its quorum answers writes with SlowDownWrite at once but holds a
//     DELETE (and a PUT caught half-way) for up to its 10-minute lock
//     timeout; ten attempts of the 5s idle timeout, with the back-off
//     between them, would make that about a minute.
//
// Reading a response body is not covered by minio-go's loop; Load resumes
// a broken or stalled body itself (transfer.Resume), with the same attempt
// budget.

// opKey is the context key of an operation's state.
type opKey struct{}

// opState is shared by the HTTP attempts of one backend operation.
type opState struct {
	cancel   context.CancelCauseFunc
	refused  atomic.Int32
	timeouts atomic.Int32
}

// op starts an operation: the returned context lets the transport cancel
// it when the endpoint refuses connections. done must be called.
func (b *Backend) op(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	st := &opState{cancel: cancel}
	return context.WithValue(ctx, opKey{}, st), func() { cancel(nil) }
}

// newTransport builds the HTTP transport: TLS settings, connection bounds,
// timeouts, then the optional test wrapper, the idle timeout, then request
// counting.
func (b *Backend) newTransport() (http.RoundTripper, error) {
	conns := b.opts.Connections
	if conns <= 0 {
		conns = 8
	}
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if b.opts.CAFile != "" {
		pem, err := os.ReadFile(b.opts.CAFile)
		if err != nil {
			return nil, fmt.Errorf("s3: reading CA file: %v: %w", err, storage.ErrInvalid)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("s3: CA file %s holds no PEM certificate: %w", b.opts.CAFile, storage.ErrInvalid)
		}
		tlsConf.RootCAs = pool
	}
	t := &http.Transport{
		Proxy:       http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		// The engine bounds its parallel transfers by Connections; the
		// transport keeps that many connections alive and caps the total
		// with headroom, so a reader held open while another request is
		// made (a listing during a restore) never waits for a connection.
		MaxConnsPerHost:       2*conns + 4,
		MaxIdleConnsPerHost:   conns,
		MaxIdleConns:          conns,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		TLSClientConfig:       tlsConf,
		// Bodies must arrive as stored: no transparent gzip on ranges.
		DisableCompression: true,
	}
	b.transport = t
	var rt http.RoundTripper = t
	if b.opts.WrapTransport != nil {
		rt = b.opts.WrapTransport(rt)
	}
	idle := transfer.NewIdleTransport(rt, b.opts.IdleTimeout)
	b.opts.IdleTimeout = idle.Idle()
	return &countingTransport{b: b, next: idle}, nil
}

// countingTransport counts every HTTP attempt by kind (retries and bucket
// location lookups included: they are billed too) and enforces the refused
// connection and stalled attempt budgets of the operation.
type countingTransport struct {
	b    *Backend
	next http.RoundTripper
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.count(req)
	res, err := t.next.RoundTrip(req)
	if err == nil {
		return res, nil
	}
	st, ok := req.Context().Value(opKey{}).(*opState)
	if !ok {
		return res, err
	}
	var cv *tls.CertificateVerificationError
	switch {
	case errors.As(err, &cv):
		// minio-go would retry these ten times (it only recognises a bare
		// x509.UnknownAuthorityError); no retry can fix a certificate.
		st.cancel(opFailure{fmt.Errorf("%s (%s): %w", req.URL.Host, oneLine(cv.Err.Error()), ErrUntrusted)})
	case refused(err):
		if int(st.refused.Add(1)) >= t.b.refused {
			st.cancel(opFailure{fmt.Errorf("cannot connect to %s (%v): %w", req.URL.Host, transfer.ShortNetError(err), storage.ErrUnavailable)})
		}
	case timedOut(err) && req.Context().Err() == nil:
		if n := int(st.timeouts.Add(1)); n >= t.b.timeouts {
			st.cancel(opFailure{fmt.Errorf("%s did not answer within %s, %d times: %w", req.URL.Host, t.b.opts.IdleTimeout, n, storage.ErrUnavailable)})
		}
	}
	return res, err
}

// opFailure is the cause with which the transport ends an operation early;
// translate reports it instead of the context's cancellation.
type opFailure struct{ error }

func (f opFailure) Unwrap() error { return f.error }

func (t *countingTransport) count(req *http.Request) {
	q := req.URL.Query()
	if (req.Method == http.MethodPut || req.Method == http.MethodPost) && q.Has("delete") {
		t.b.AddDelete() // DeleteObjects
		return
	}
	t.b.AddHTTP(req.Method, q.Has("list-type") || q.Has("prefix") || q.Has("delimiter") || q.Has("uploads") || q.Has("versions"))
}

// refused reports whether err means the endpoint cannot be reached at all,
// as opposed to a connection that broke or a slow answer.
func refused(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	return false
}

// timedOut reports whether err is an attempt that got no answer in time
// (a transfer.StallError, a TLS handshake timeout).
func timedOut(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
