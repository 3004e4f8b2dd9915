package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage/remote"
)

// ListenOptions say where and how the server listens.
type ListenOptions struct {
	// Addr is HOST:PORT (port 0: any free port).
	Addr string
	// TLSCert and TLSKey are PEM files; with them the server speaks HTTPS
	// (HTTP/2 and HTTP/1.1).
	TLSCert, TLSKey string
	// InsecureListen allows plain HTTP on an address that is not loopback
	// (behind a TLS-terminating proxy). Tokens then cross that network in
	// clear text.
	InsecureListen bool
	// ShutdownTimeout is how long in-flight requests may take to finish
	// once the context is cancelled (0: DefaultShutdownTimeout). Requests
	// still running then are cut off; an upload cut off is not stored.
	ShutdownTimeout time.Duration
}

// Errors of Listen that the command line explains with its flags.
var (
	// ErrTLSPair: a TLS certificate without its key, or a key without
	// its certificate.
	ErrTLSPair = errors.New("a TLS certificate needs its key and a key its certificate")
	// ErrPlainNotLoopback: plain HTTP on an address that is not loopback,
	// and InsecureListen not set: tokens would cross the network in clear
	// text.
	ErrPlainNotLoopback = errors.New("plain HTTP only on a loopback address (tokens would cross the network in clear text)")
)

// DefaultShutdownTimeout is the default ListenOptions.ShutdownTimeout.
const DefaultShutdownTimeout = time.Minute

// Listen checks o and opens the listener. Plain HTTP is refused on an
// address that is not loopback unless o.InsecureListen.
func Listen(o ListenOptions) (net.Listener, error) {
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return nil, ErrTLSPair
	}
	host, _, err := net.SplitHostPort(o.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen address %q: %v (want HOST:PORT)", o.Addr, err)
	}
	if o.TLSCert == "" && !o.InsecureListen && !remote.IsLoopback(host) {
		return nil, fmt.Errorf("listen address %q: %w", o.Addr, ErrPlainNotLoopback)
	}
	if o.TLSCert != "" {
		// Load the pair now, so a bad file is a clear start-up error.
		if _, err := tls.LoadX509KeyPair(o.TLSCert, o.TLSKey); err != nil {
			return nil, fmt.Errorf("TLS certificate: %v", err)
		}
	}
	return net.Listen("tcp", o.Addr)
}

// Serve answers requests on ln until ctx is cancelled, then shuts down
// gracefully: no new connections, in-flight requests get up to
// o.ShutdownTimeout to finish. It returns nil after a clean shutdown.
func (s *Server) Serve(ctx context.Context, ln net.Listener, o ListenOptions) error {
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = DefaultShutdownTimeout
	}
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	scheme := "http"
	if o.TLSCert != "" {
		scheme = "https"
	}
	s.log.Info("listening", "addr", ln.Addr().String(), "scheme", scheme)
	sctx, stopSampling := context.WithCancel(ctx)
	defer stopSampling()
	go s.sampleLoop(sctx)
	errc := make(chan error, 1)
	go func() {
		if o.TLSCert != "" {
			errc <- srv.ServeTLS(ln, o.TLSCert, o.TLSKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "timeout", o.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), o.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		s.log.Warn("requests still running at the shutdown timeout were cut off; their uploads are not stored")
		srv.Close()
	}
	<-errc
	s.log.Info("stopped")
	return nil
}
