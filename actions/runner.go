package main

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/savepoint-ci/savepoint/core/cli"
	"github.com/savepoint-ci/savepoint/core/location"
	"github.com/savepoint-ci/savepoint/internal/mask"
)

// runner is one run of the entrypoint: the Actions toolkit, the inputs and
// what it has learnt about the CLI.
type runner struct {
	a       *githubactions.Action
	in      inputReader
	cfg     *config
	version string
	mask    *mask.Masker
	// warnings counts the CLI warnings turned into annotations (GitHub
	// shows only the first few per step; the rest stay in the log).
	warnings int
}

const maxWarnings = 10

// secretEnv are the environment variables holding credentials that the
// CLI reads when the matching input is not given.
var secretEnv = []string{"SAVEPOINT_PASSWORD", "SAVEPOINT_TOKEN", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}

func newRunner(a *githubactions.Action, version string) *runner {
	return &runner{a: a, in: inputReader{getenv: a.Getenv}, version: version}
}

// maskSecrets registers every form of every secret input (internal/mask)
// with the runner before anything else is printed, and keeps them to
// scrub what we print and write ourselves.
func (r *runner) maskSecrets() {
	var secrets []string
	for _, name := range secretInputs {
		if v := r.in.get(name); v != "" {
			secrets = append(secrets, v)
		}
	}
	// Credentials a workflow gives the step as environment variables
	// (env: SAVEPOINT_TOKEN: ...) instead of inputs: the CLI reads them too.
	for _, k := range secretEnv {
		if v := strings.TrimSpace(r.a.Getenv(k)); v != "" {
			secrets = append(secrets, v)
		}
	}
	r.mask = mask.New(secrets...)
	for _, f := range r.mask.Forms() {
		if !strings.Contains(f, "\n") { // the runner masks line by line
			r.a.AddMask(f)
		}
	}
}

// scrub masks every secret in s: the runner masks the log, but not files
// such as the step summary or outputs.
func (r *runner) scrub(s string) string { return r.mask.String(s) }

// fail prints one error annotation.
func (r *runner) fail(title, format string, args ...any) {
	msg := r.scrub(cli.OneLine(fmt.Sprintf(format, args...)))
	r.a.WithFieldsMap(map[string]string{"title": title}).Errorf("%s", msg)
}

// result is the outcome of one CLI run.
type result struct {
	code   int
	stdout []byte
	errMsg string // the CLI's one-line error, without the "savepoint: " prefix
}

// runCLI runs the savepoint CLI in-process with args after the global
// flags. Its stderr (progress, warnings) reaches the log line by line as
// it is written, scrubbed; its error becomes errMsg, its exit code code.
func (r *runner) runCLI(ctx context.Context, args []string) result {
	g := globalArgs(r.cfg, r.a.Getenv)
	var stdout bytes.Buffer
	stderr := &mask.LineWriter{Line: func(line string) { r.cliLine(args[0], line) }}
	env := cli.Env{
		Stdin:  strings.NewReader(""),
		Stdout: &stdout,
		Stderr: stderr,
		Getenv: overlay(g.env, r.a.Getenv),
	}
	all := append(g.args, args...)
	r.a.Infof("%s", r.scrub("savepoint "+quoteArgs(all)))
	err := cli.Execute(ctx, r.version, all, env)
	stderr.Flush()
	res := result{code: cli.ExitCode(err), stdout: stdout.Bytes()}
	if err != nil {
		res.errMsg = r.scrub(cli.OneLine(err.Error()))
	}
	switch scheme := location.Scheme(r.cfg.repository); {
	case res.code != cli.ExitAccessRefused:
	case scheme == "oci":
		res.errMsg += " (the action logs in with the token input as the password and the workflow's actor as the user; ghcr.io needs permissions: packages: write)"
	case scheme == "server" && r.cfg.serverToken == "" && r.a.Getenv("SAVEPOINT_TOKEN") == "":
		res.errMsg += " (set the server_token input from a secret holding a token of the server)"
	}
	return res
}

// cliLine handles one line of the CLI's stderr: warnings become warning
// annotations (the first few), the rest goes to the log.
func (r *runner) cliLine(command, line string) {
	line = r.scrub(line)
	if msg, ok := strings.CutPrefix(line, "warning: "); ok && r.warnings < maxWarnings {
		r.warnings++
		r.a.WithFieldsMap(map[string]string{"title": "savepoint " + command}).Warningf("%s", msg)
		return
	}
	if line != "" {
		r.a.Infof("%s", line)
	}
}

// overlay returns a getenv that sees extra on top of base.
func overlay(extra map[string]string, base func(string) string) func(string) string {
	m := maps.Clone(extra)
	return func(k string) string {
		if v, ok := m[k]; ok {
			return v
		}
		return base(k)
	}
}

// quoteArgs formats args for the log, quoting those with spaces.
func quoteArgs(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}

// group runs fn inside a collapsible log group.
func (r *runner) group(title string, fn func()) {
	r.a.Group(title)
	defer r.a.EndGroup()
	fn()
}

// fileCommand guards the toolkit's file commands: outside a runner the
// files are not set, and the toolkit panics on a write error.
func (r *runner) fileCommand(envVar string, fn func()) {
	if r.a.Getenv(envVar) == "" {
		return
	}
	defer func() {
		if p := recover(); p != nil {
			r.a.Warningf("%s", r.scrub(fmt.Sprint(p)))
		}
	}()
	fn()
}

func (r *runner) setOutput(k, v string) {
	r.fileCommand("GITHUB_OUTPUT", func() { r.a.SetOutput(k, r.scrub(v)) })
}

func (r *runner) saveState(k, v string) {
	r.fileCommand("GITHUB_STATE", func() { r.a.SaveState(k, v) })
}

func (r *runner) summary(md string) {
	r.fileCommand("GITHUB_STEP_SUMMARY", func() { r.a.AddStepSummary(r.scrub(md)) })
}
