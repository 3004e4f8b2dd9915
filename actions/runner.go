package main

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"

	"github.com/sethvargo/go-githubactions"

	"github.com/savepoint-ci/savepoint/core/cli"
	"github.com/savepoint-ci/savepoint/core/location"
)

// Exit codes of the entrypoint: the CLI's, plus 2 for bad inputs.
const (
	exitOK    = 0
	exitError = 1
	exitInput = 2
)

// runner is one run of the entrypoint: the Actions toolkit, the inputs and
// what it has learnt about the CLI.
type runner struct {
	a       *githubactions.Action
	in      inputReader
	cfg     *config
	version string
	secrets []string
	// errLine is the last "savepoint: ..." line of the running CLI.
	errLine string
	// warnings counts the CLI warnings turned into annotations (GitHub
	// shows only the first few per step; the rest stay in the log).
	warnings int
}

const maxWarnings = 10

func newRunner(a *githubactions.Action, version string) *runner {
	return &runner{a: a, in: inputReader{getenv: a.Getenv}, version: version}
}

// maskSecrets registers every secret input with the runner before anything
// else is printed, and remembers them to scrub text we print ourselves.
func (r *runner) maskSecrets() {
	for _, in := range inputs {
		if !in.secret {
			continue
		}
		v := r.in.get(in.name)
		if v == "" {
			continue
		}
		r.secrets = append(r.secrets, v)
		for _, line := range strings.Split(v, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				r.a.AddMask(line)
				if line != v {
					r.secrets = append(r.secrets, line)
				}
			}
		}
	}
}

// scrub replaces any secret in s with ***: the runner masks the log, but
// not files such as the step summary or outputs.
func (r *runner) scrub(s string) string {
	for _, sec := range r.secrets {
		if len(sec) >= 3 {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	return s
}

// fail prints one error annotation.
func (r *runner) fail(title, format string, args ...any) {
	msg := r.scrub(oneLine(fmt.Sprintf(format, args...)))
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
// it is written, scrubbed; its one-line error becomes errMsg.
func (r *runner) runCLI(ctx context.Context, args []string) result {
	g := globalArgs(r.cfg, r.a.Getenv)
	var stdout bytes.Buffer
	stderr := &lineWriter{line: func(line string) { r.cliLine(args[0], line) }}
	env := cli.Env{
		Stdin:  strings.NewReader(""),
		Stdout: &stdout,
		Stderr: stderr,
		Getenv: overlay(g.env, r.a.Getenv),
	}
	all := append(g.args, args...)
	r.a.Infof("%s", r.scrub("savepoint "+quoteArgs(all)))
	r.errLine = ""
	code := cli.Run(ctx, r.version, all, env)
	stderr.flush()
	res := result{code: code, stdout: stdout.Bytes()}
	if code != exitOK {
		res.errMsg = r.errLine
	}
	if code != exitOK && location.Scheme(r.cfg.repository) == "oci" && strings.Contains(res.errMsg, "refused the credentials") {
		res.errMsg += " (the action logs in with the token input as the password and the workflow's actor as the user; ghcr.io needs permissions: packages: write)"
	}
	if code != exitOK && res.errMsg == "" {
		res.errMsg = fmt.Sprintf("savepoint %s exited with status %d", args[0], code)
	}
	return res
}

// cliLine handles one line of the CLI's stderr: its final error is kept
// for the annotation, warnings become warning annotations (the first few),
// the rest goes to the log.
func (r *runner) cliLine(command, line string) {
	line = r.scrub(line)
	if rest, ok := strings.CutPrefix(line, "savepoint: "); ok {
		r.errLine = rest
		return
	}
	if msg, ok := strings.CutPrefix(line, "warning: "); ok && r.warnings < maxWarnings {
		r.warnings++
		r.a.WithFieldsMap(map[string]string{"title": "savepoint " + command}).Warningf("%s", msg)
		return
	}
	if line != "" {
		r.a.Infof("%s", line)
	}
}

// lineWriter calls line for each complete line written to it; the CLI's
// progress reporter writes from its own goroutine, hence the lock.
type lineWriter struct {
	mu   sync.Mutex
	buf  []byte
	line func(string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		w.line(strings.TrimRight(string(w.buf[:i]), "\r"))
		w.buf = w.buf[i+1:]
	}
}

func (w *lineWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.line(string(w.buf))
		w.buf = nil
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

// oneLine keeps the first line of s: an annotation is one clear line.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
