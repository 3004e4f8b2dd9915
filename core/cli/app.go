// Package cli is the savepoint command line, shared by the savepoint binary
// and the platform entrypoints (which build arguments from their inputs and
// call Run). It turns flags into core operations, prints results as text or
// JSON, and maps errors to one line and an exit code; it never exits itself.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
)

// Exit codes (docs/cli.md).
const (
	ExitOK      = 0 // success
	ExitError   = 1 // the operation failed; nothing was committed
	ExitUsage   = 2 // bad flags or arguments
	ExitPartial = 3 // committed, but some files were unreadable (save) or entries refused (restore)
)

// Env is what a run sees of its process: streams and environment.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// StderrIsTTY enables the live progress bar.
	StderrIsTTY bool
}

// OSEnv is the environment of the current process.
func OSEnv() Env {
	return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, StderrIsTTY: isTerminal(os.Stderr)}
}

// usageError marks mistakes in flags or arguments (exit 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// exitError carries a specific exit code with its message.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

// Run runs the savepoint command line with args (without the program name)
// and returns the exit code. Errors are printed as one line on env.Stderr.
func Run(ctx context.Context, version string, args []string, env Env) int {
	app := NewApp(version, env)
	unknown := ""
	app.CommandNotFound = func(c *cli.Context, name string) { unknown = name }
	err := app.RunContext(ctx, append([]string{"savepoint"}, interspersed(app, args)...))
	if err == nil && unknown != "" {
		err = usagef("unknown command %q (see 'savepoint --help')", unknown)
	}
	if err == nil {
		return ExitOK
	}
	code := ExitError
	var ue usageError
	var ee exitError
	switch {
	case errors.As(err, &ue):
		code = ExitUsage
	case errors.As(err, &ee):
		code = ee.code
	case errors.Is(err, context.Canceled):
		err = errors.New("interrupted")
	}
	fmt.Fprintln(env.Stderr, "savepoint: "+oneLine(err.Error()))
	return code
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// NewApp builds the urfave/cli application.
func NewApp(version string, env Env) *cli.App {
	app := &cli.App{
		Name:                 "savepoint",
		Usage:                "deduplicated, encrypted snapshots of CI state, with one-step rollback",
		Version:              version,
		Reader:               env.Stdin,
		Writer:               env.Stdout,
		ErrWriter:            env.Stderr,
		HideHelpCommand:      true,
		EnableBashCompletion: false,
		Flags:                globalFlags(),
		Commands:             commands(env),
		ExitErrHandler:       func(*cli.Context, error) {}, // we print errors ourselves, once
		OnUsageError: func(c *cli.Context, err error, isSub bool) error {
			return usagef("%v (see 'savepoint %s --help')", err, c.Command.Name)
		},
	}
	return app
}

func commands(env Env) []*cli.Command {
	cmds := []*cli.Command{
		initCommand(env),
		saveCommand(env),
		snapshotsCommand(env),
		lsCommand(env),
		diffCommand(env),
		showCommand(env),
		restoreCommand(env),
		checkpointCommand(env),
		rollbackCommand(env),
		dumpCommand(env),
		forgetCommand(env),
		pruneCommand(env),
		verifyCommand(env),
		migrateCommand(env),
	}
	for _, c := range cmds {
		c.OnUsageError = func(c *cli.Context, err error, isSub bool) error {
			return usagef("%v (see 'savepoint %s --help')", err, c.Command.Name)
		}
	}
	return cmds
}

// needArgs checks the number of positional arguments.
func needArgs(c *cli.Context, min, max int, what string) error {
	n := c.NArg()
	if n < min || (max >= 0 && n > max) {
		return usagef("%s: expected %s (see 'savepoint %s --help')", c.Command.Name, what, c.Command.Name)
	}
	return nil
}
