package cli

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/retention"
	"github.com/savepoint-ci/savepoint/core/server"
	"github.com/savepoint-ci/savepoint/core/server/api"
	"github.com/savepoint-ci/savepoint/core/server/jobs"
	"github.com/savepoint-ci/savepoint/core/server/metrics"
	"github.com/savepoint-ci/savepoint/core/server/records"
	"github.com/savepoint-ci/savepoint/core/server/repos"
	"github.com/savepoint-ci/savepoint/core/server/schedules"
	"github.com/savepoint-ci/savepoint/core/server/service"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
	"github.com/savepoint-ci/savepoint/core/server/web"
	"github.com/savepoint-ci/savepoint/internal/testclock"
)

// ServeOptions are the options of `savepoint serve`. The storage settings
// (S3, OCI) are the global flags'.
type ServeOptions struct {
	Listen          string
	Storage         string // where the repositories live: a path, s3://, oci://
	TLSCert, TLSKey string
	InsecureListen  bool
	Quota           int64 // bytes per repository; 0: none
	MaxRequestSize  int64
	PasswordDir     string
	TokenCacheTTL   time.Duration // 0: read the token record on every request
	ShutdownTimeout time.Duration
	EarlyHints      time.Duration // 0: none
	LogFormat       string        // json or text
	MetricsPublic   bool          // /metrics without a token
	// TestClock, test only: the schedules' clock reads the time from
	// this file (testclock.File), so a test moves it.
	TestClock string
}

func serveCommand() *cli.Command {
	return define(&cli.Command{
		Name:  "serve",
		Usage: "serve the repositories in a storage location to clients holding tokens (docs/server.md)",
		Description: `Clients use --repo https://HOST[:PORT]/NAME with a token from 'savepoint token create'.
Plain HTTP is served on loopback only, unless --insecure-listen. SIGTERM stops the server
gracefully: running uploads finish (or are discarded whole after --shutdown-timeout).`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "listen", Value: "127.0.0.1:8417", EnvVars: []string{"SAVEPOINT_LISTEN"}, Usage: "listen on `HOST:PORT`"},
			storageFlag(),
			&cli.StringFlag{Name: "tls-cert", EnvVars: []string{"SAVEPOINT_TLS_CERT"}, Usage: "TLS certificate chain, PEM `FILE` (HTTPS, HTTP/2)"},
			&cli.StringFlag{Name: "tls-key", EnvVars: []string{"SAVEPOINT_TLS_KEY"}, Usage: "TLS private key, PEM `FILE`"},
			&cli.BoolFlag{Name: "insecure-listen", Usage: "allow plain HTTP on a non-loopback address (behind a TLS proxy only)"},
			&cli.StringFlag{Name: "quota", Usage: "cap each repository at `SIZE` (e.g. 50GiB) for append tokens"},
			&cli.StringFlag{Name: "max-request-size", Value: "256MiB", Usage: "refuse request bodies above `SIZE`"},
			&cli.StringFlag{Name: "password-dir", EnvVars: []string{"SAVEPOINT_PASSWORD_DIR"}, Usage: "`DIR` with one password file per repository, named like it: forget and prune of those run on the server"},
			&cli.StringFlag{Name: "token-cache", Value: "10s", Usage: "trust a token record read for `DURATION` (a revocation takes effect within it)"},
			&cli.StringFlag{Name: "shutdown-timeout", Value: "60s", Usage: "on SIGTERM, let running requests finish for up to `DURATION`"},
			&cli.StringFlag{Name: "early-hints", Value: server.DefaultEarlyHints.String(), Usage: "while storing an upload, tell the client every `DURATION` that the server is working (HTTP 103 Early Hints); 0: never, behind a proxy that breaks on them (nginx before 1.29)"},
			&cli.StringFlag{Name: "log-format", Value: "json", Usage: "log lines as `FORMAT` json or text"},
			&cli.BoolFlag{Name: "metrics-public", Usage: "serve /metrics without a token (by default it needs a token for every repository, --repo '*')"},
			&cli.StringFlag{Name: "test-clock", Hidden: true, Usage: "test only: the schedules' clock reads the time (RFC 3339) from `FILE`"},
		},
	}, bindServe, runServe)
}

func bindServe(c *cli.Context) (ServeOptions, error) {
	o := ServeOptions{
		Listen: c.String("listen"), Storage: c.String("storage"), TLSCert: c.String("tls-cert"), TLSKey: c.String("tls-key"),
		InsecureListen: c.Bool("insecure-listen"), PasswordDir: c.String("password-dir"), LogFormat: c.String("log-format"),
		MetricsPublic: c.Bool("metrics-public"), TestClock: c.String("test-clock"),
	}
	if err := needArgs(c, 0, 0, "no arguments"); err != nil {
		return o, err
	}
	if o.Storage == "" {
		return o, usagef("serve: give --storage LOCATION (a directory, s3://BUCKET/PREFIX or oci://REGISTRY/NAMESPACE)")
	}
	var err error
	if v := c.String("quota"); v != "" {
		if o.Quota, err = retention.ParseSize(v); err != nil {
			return o, usagef("serve: --quota: %v", err)
		}
	}
	if o.MaxRequestSize, err = retention.ParseSize(c.String("max-request-size")); err != nil {
		return o, usagef("serve: --max-request-size: %v", err)
	}
	if o.TokenCacheTTL, err = retention.ParseDuration(c.String("token-cache")); err != nil {
		return o, usagef("serve: --token-cache: %v", err)
	}
	if o.ShutdownTimeout, err = retention.ParseDuration(c.String("shutdown-timeout")); err != nil {
		return o, usagef("serve: --shutdown-timeout: %v", err)
	}
	if o.EarlyHints, err = time.ParseDuration(c.String("early-hints")); err != nil || o.EarlyHints < 0 {
		return o, usagef("serve: --early-hints %q: give a duration such as 1s or 500ms, or 0 for none", c.String("early-hints"))
	}
	if o.LogFormat != "json" && o.LogFormat != "text" {
		return o, usagef("serve: --log-format %q: use json or text", o.LogFormat)
	}
	return o, nil
}

// storageFlag is --storage of serve and token.
func storageFlag() cli.Flag {
	return &cli.StringFlag{Name: "storage", EnvVars: []string{"SAVEPOINT_STORAGE"},
		Usage: "where the server's repositories live: `LOCATION` a directory, s3://BUCKET/PREFIX or oci://REGISTRY/NAMESPACE"}
}

// runServe runs the server until ctx is cancelled (SIGTERM, SIGINT); it
// logs on stderr.
func runServe(ctx context.Context, g *Globals, o ServeOptions) error {
	var h slog.Handler = slog.NewJSONHandler(g.Env.Stderr, nil)
	if o.LogFormat == "text" {
		h = slog.NewTextHandler(g.Env.Stderr, nil)
	}
	loc := g.locationOptions()
	log := slog.New(h)
	ln, err := server.Listen(server.ListenOptions{Addr: o.Listen, TLSCert: o.TLSCert, TLSKey: o.TLSKey, InsecureListen: o.InsecureListen})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	table, err := records.Open(ctx, o.Storage, tokens.TableName, loc)
	if err != nil {
		ln.Close()
		return fmt.Errorf("serve: %w", err)
	}
	store := tokens.NewStore(table, tokens.Options{CacheTTL: &o.TokenCacheTTL})
	// Reach the storage once now: wrong credentials are a start-up error.
	if _, err := store.List(ctx); err != nil {
		ln.Close()
		return fmt.Errorf("serve: storage %s: %w", o.Storage, err)
	}
	hub := repos.New(repos.Options{Storage: o.Storage, Location: loc, Quota: o.Quota, PasswordDir: o.PasswordDir})
	defer hub.Close()
	srv := server.New(server.Options{Repos: hub, Tokens: store, MaxRequestSize: o.MaxRequestSize, Logger: log,
		EarlyHints: o.EarlyHints, MetricsPublic: o.MetricsPublic})
	mgmt, err := management(ctx, g, o, hub, store, srv.Metrics(), log)
	if err != nil {
		ln.Close()
		return fmt.Errorf("serve: %w", err)
	}
	api.Mount(srv.Mux(), api.Options{Service: mgmt, Version: g.Version, Logger: log})
	web.New(web.Options{Service: mgmt, Logger: log}).Register(srv.Mux())
	go mgmt.Schedules.Run(ctx)
	stopped := make(chan struct{})
	go func() {
		// A shutdown interrupts the running jobs: nothing partial is
		// committed, and their records say so.
		defer close(stopped)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), max(o.ShutdownTimeout, time.Second))
		defer cancel()
		if err := mgmt.Jobs.Shutdown(sctx); err != nil {
			log.Warn("jobs", "error", err.Error())
		}
	}()
	log.Info("serving", "storage", o.Storage, "quota", o.Quota, "password_dir", o.PasswordDir != "")
	err = srv.Serve(ctx, ln, server.ListenOptions{TLSCert: o.TLSCert, TLSKey: o.TLSKey, ShutdownTimeout: o.ShutdownTimeout})
	<-stopped
	return err
}

// management builds the service layer behind the management API and the
// web view: the job runner, whose jobs the metrics count, and the
// scheduler, with their records in the storage.
func management(ctx context.Context, g *Globals, o ServeOptions, hub *repos.Hub, store *tokens.Store, m *metrics.Metrics, log *slog.Logger) (*service.Service, error) {
	jobTable, err := hub.Table(ctx, jobs.TableName)
	if err != nil {
		return nil, err
	}
	schedTable, err := hub.Table(ctx, schedules.TableName)
	if err != nil {
		return nil, err
	}
	runner := jobs.New(jobs.Options{Repos: hub, Table: jobTable, Logger: log, Program: "savepoint " + g.Version,
		Ended: m.RunnerJobEnded})
	now := time.Now
	if o.TestClock != "" {
		now = testclock.File(o.TestClock)
	}
	sched := schedules.New(schedules.Options{Table: schedTable, Runner: runner, Now: now, Logger: log})
	return &service.Service{Repos: hub, Jobs: runner, Schedules: sched, Tokens: store, Now: now}, nil
}
