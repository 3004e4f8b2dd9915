// Package plugin is the Drone and Woodpecker plugin: it reads a step's
// settings (PLUGIN_*) and pipeline metadata (CI_*, then DRONE_*), turns them
// into a savepoint command line, runs it in-process through core/cli with
// --json, prints a short summary and writes .savepoint/result.json in the
// workspace for later steps. Credentials reach the CLI through its
// environment and are masked in everything the plugin prints or writes.
package plugin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/savepoint-ci/savepoint/core/cli"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/drone/internal/settings"
	"github.com/savepoint-ci/savepoint/internal/mask"
)

// IO is what a run sees of its process.
type IO struct {
	Stdout io.Writer
	Stderr io.Writer
	// Getenv is the process environment (settings, metadata, fallbacks).
	Getenv func(string) string
	// Dir is the workspace (the runner's working directory), where
	// relative paths resolve and result.json is written.
	Dir string
}

// run is one step in progress.
type run struct {
	cfg            *Config
	version        string
	mask           *mask.Masker
	stdout, stderr *maskedWriter
	env            cli.Env
	res            *Result
}

// Exec runs the step described by cfg and returns the exit code: the CLI's
// (docs/cli.md: 0 ok, 1 error, 2 usage, 3 partial, 10-15, 130).
func Exec(ctx context.Context, version string, cfg *Config, sys IO) int {
	m := mask.New(append(cfg.Secrets(), secretEnv(sys.Getenv)...)...)
	r := &run{
		cfg: cfg, version: version, mask: m,
		stdout: newMaskedWriter(sys.Stdout, m),
		stderr: newMaskedWriter(sys.Stderr, m),
		res:    &Result{Command: cfg.Command, Name: cfg.Name(), Metadata: cfg.Meta, Warnings: cfg.Warnings},
	}
	defer r.stdout.Flush()
	defer r.stderr.Flush()
	r.env = cli.Env{Stdin: strings.NewReader(""), Stderr: r.stderr, Getenv: cfg.Env(sys.Getenv)}

	fmt.Fprintf(r.stdout, "savepoint %s%s\n", cfg.Command, describe(cfg))
	for _, w := range cfg.Warnings {
		fmt.Fprintf(r.stderr, "savepoint: warning: %s\n", w)
	}
	code := cli.ExitOK
	if cfg.Init || cfg.Command == "init" {
		code = r.init(ctx)
	}
	if code == cli.ExitOK && cfg.Command != "init" {
		code = r.command(ctx)
	}
	r.res.ExitCode, r.res.Status = code, statusOf(code)
	if err := r.res.write(sys.Dir, m); err != nil {
		fmt.Fprintf(r.stderr, "savepoint: writing %s: %v\n", ResultPath, err)
		if code == cli.ExitOK {
			code = cli.ExitError
		}
		return code
	}
	fmt.Fprintf(r.stdout, "result written to %s (status %s, exit %d)\n", ResultPath, r.res.Status, code)
	return code
}

// init creates the repository; with init: true before another command, a
// repository made by an earlier run is fine.
func (r *run) init(ctx context.Context) int {
	var out bytes.Buffer
	env := r.env
	env.Stdout = &out
	err := cli.Execute(ctx, r.version, r.cfg.InitArgs(), env)
	switch {
	case err == nil:
		fmt.Fprintln(r.stdout, "created the repository")
		r.res.Output = outputJSON(out.Bytes())
	case r.cfg.Command != "init" && errors.Is(err, repository.ErrExists):
		return cli.ExitOK
	default:
		r.fail(err)
	}
	return cli.ExitCode(err)
}

// command runs the step's command with --json and keeps its output.
func (r *run) command(ctx context.Context) int {
	var out bytes.Buffer
	env := r.env
	env.Stdout = &out
	err := cli.Execute(ctx, r.version, r.cfg.Args(), env)
	if err != nil {
		r.fail(err)
	}
	r.res.Output = outputJSON(out.Bytes())
	r.res.Snapshot = snapshotID(r.res.Output)
	summarize(r.stdout, r.cfg.Command, r.res.Output)
	return cli.ExitCode(err)
}

// fail reports the CLI's error: one line on stderr and in the result.
func (r *run) fail(err error) {
	fmt.Fprintln(r.stderr, cli.ErrorLine(err))
	r.stderr.Flush()
	r.res.Error = r.mask.String(cli.OneLine(err.Error()))
}

// describe is the context line after the command name.
func describe(cfg *Config) string {
	var parts []string
	if n := cfg.Name(); n != "" {
		parts = append(parts, "name "+n)
	}
	m := cfg.Meta
	if m.Event != "" {
		ev := "event " + m.Event
		if m.DeployTarget != "" {
			ev += " to " + m.DeployTarget
		}
		if m.DeployTask != "" {
			ev += " (task " + m.DeployTask + ")"
		}
		parts = append(parts, ev)
	}
	if m.Commit != "" {
		c := m.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		parts = append(parts, "commit "+c)
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, ", ")
}

// secretEnv are credentials in the process environment, masked too.
func secretEnv(getenv func(string) string) []string {
	var out []string
	for _, k := range []string{"SAVEPOINT_PASSWORD", "SAVEPOINT_TOKEN", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
		if v := getenv(k); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Fail reports settings that could not be loaded: one line on stderr and a
// result.json (in dir) with status usage. It returns the exit code (2).
func Fail(dir string, env settings.Env, err error, stderr io.Writer) int {
	var secrets []string
	for _, s := range Settings {
		if v, ok := env.Lookup(s.Name); ok && s.Secret {
			secrets = append(secrets, v)
		}
	}
	m := mask.New(append(secrets, secretEnv(env.Getenv)...)...)
	msg := m.String(cli.OneLine(err.Error()))
	fmt.Fprintln(stderr, "savepoint: "+msg)
	res := &Result{ExitCode: cli.ExitUsage, Status: statusOf(cli.ExitUsage), Error: msg, Metadata: ReadMetadata(env.Getenv)}
	if werr := res.write(dir, m); werr != nil {
		fmt.Fprintf(stderr, "savepoint: writing %s: %v\n", ResultPath, werr)
	}
	return cli.ExitUsage
}
