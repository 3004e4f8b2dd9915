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
	"fmt"
	"io"
	"strings"

	"github.com/savepoint-ci/savepoint/core/cli"
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

// Exec runs the step described by cfg and returns the exit code: the CLI's
// (0 ok, 1 error, 2 usage, 3 partial).
func Exec(ctx context.Context, version string, cfg *Config, io IO) int {
	red := newRedactor(append(cfg.Secrets(), secretEnv(io.Getenv)...))
	stdout := &lineWriter{w: io.Stdout, r: red}
	stderr := &lineWriter{w: io.Stderr, r: red}
	defer stdout.Flush()
	defer stderr.Flush()

	fmt.Fprintf(stdout, "savepoint %s%s\n", cfg.Command, describe(cfg))
	for _, w := range cfg.Warnings {
		fmt.Fprintf(stderr, "savepoint: warning: %s\n", w)
	}
	env := cli.Env{Stdin: strings.NewReader(""), Stderr: stderr, Getenv: cfg.Env(io.Getenv)}
	res := &Result{Command: cfg.Command, Name: cfg.Name(), Metadata: cfg.Meta, Warnings: cfg.Warnings}

	code := cli.ExitOK
	if cli.NewApp(version, env).Command(cfg.Command) == nil {
		// An older CLI without the command: say so rather than let its
		// "unknown command" pass as success.
		res.Error = fmt.Sprintf("this build of savepoint has no %s command", cfg.Command)
		fmt.Fprintln(stderr, "savepoint: "+res.Error)
		code = cli.ExitUsage
	}
	if code == cli.ExitOK && (cfg.Init || cfg.Command == "init") || cfg.Command == "init" {
		var out, errOut bytes.Buffer
		env.Stdout, env.Stderr = &out, &errOut
		code = cli.Run(ctx, version, cfg.InitArgs(), env)
		env.Stderr = stderr
		last := lastLine(errOut.String())
		switch {
		case code == cli.ExitOK:
			fmt.Fprintln(stdout, "created the repository")
			res.Output = outputJSON(out.Bytes())
		case cfg.Command != "init" && strings.Contains(last, "a repository already exists"):
			code = cli.ExitOK // init: true on a repository made by an earlier run
		default:
			stderr.Write(errOut.Bytes())
			stderr.Flush()
			res.Error = strings.TrimPrefix(stderr.Last(), "savepoint: ")
		}
	}
	if code == cli.ExitOK && cfg.Command != "init" {
		var out bytes.Buffer
		env.Stdout = &out
		code = cli.Run(ctx, version, cfg.Args(), env)
		stderr.Flush()
		res.Output = outputJSON(out.Bytes())
		res.Snapshot = snapshotID(res.Output)
		if code != cli.ExitOK {
			res.Error = strings.TrimPrefix(stderr.Last(), "savepoint: ")
		}
		summarize(stdout, cfg.Command, res.Output)
	}
	res.ExitCode, res.Status = code, statusOf(code)
	if err := res.write(io.Dir, red); err != nil {
		fmt.Fprintf(stderr, "savepoint: writing %s: %v\n", ResultPath, err)
		if code == cli.ExitOK {
			code = cli.ExitError
		}
		return code
	}
	fmt.Fprintf(stdout, "result written to %s (status %s, exit %d)\n", ResultPath, res.Status, code)
	return code
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
	for _, k := range []string{"SAVEPOINT_PASSWORD", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
		if v := getenv(k); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Fail reports settings that could not be loaded: one line on stderr and a
// result.json with status usage. It returns the exit code (2).
func Fail(dir string, meta Metadata, err error, stderr io.Writer) int {
	fmt.Fprintln(stderr, "savepoint: "+err.Error())
	res := &Result{ExitCode: cli.ExitUsage, Status: statusOf(cli.ExitUsage), Error: err.Error(), Metadata: meta}
	if werr := res.write(dir, redactor{}); werr != nil {
		fmt.Fprintf(stderr, "savepoint: writing %s: %v\n", ResultPath, werr)
	}
	return cli.ExitUsage
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}
