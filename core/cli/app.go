package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"
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

// Run runs the savepoint command line with args (without the program name)
// and returns the exit code (ExitCode). An error is printed as one line on
// env.Stderr (ErrorLine).
func Run(ctx context.Context, version string, args []string, env Env) int {
	err := Execute(ctx, version, args, env)
	if err != nil {
		fmt.Fprintln(env.Stderr, ErrorLine(err))
	}
	return ExitCode(err)
}

// Execute runs the command line like Run but returns its error unprinted,
// for entrypoints that decide on it (errors.Is, ExitCode) and print it
// themselves. After a cancelled ctx the error wraps ErrInterrupted.
func Execute(ctx context.Context, version string, args []string, env Env) error {
	err := run(ctx, NewApp(version, env), args)
	if err != nil && ctx.Err() != nil {
		return interrupted{err}
	}
	return withHint(err)
}

func run(ctx context.Context, app *cli.App, args []string) error {
	unknown := ""
	app.CommandNotFound = func(c *cli.Context, name string) { unknown = name }
	err := app.RunContext(ctx, append([]string{"savepoint"}, interspersed(app, args)...))
	if err == nil && unknown != "" {
		err = usagef("unknown command %q (see 'savepoint --help')", unknown)
	}
	return err
}

// NewApp builds the urfave/cli application.
func NewApp(version string, env Env) *cli.App {
	return &cli.App{
		Name:            "savepoint",
		Usage:           "deduplicated, encrypted snapshots of CI state, with one-step rollback",
		Version:         version,
		Reader:          env.Stdin,
		Writer:          env.Stdout,
		ErrWriter:       env.Stderr,
		HideHelpCommand: true,
		// Repeatable flags take one value each: a comma belongs to the
		// value (--command 'db=pg_dump -t a,b app', a branch name).
		DisableSliceFlagSeparator: true,
		EnableBashCompletion:      false,
		Flags:                     globalFlags(),
		Commands:                  commands(),
		Metadata:                  map[string]any{metaEnv: env},
		ExitErrHandler:            func(*cli.Context, error) {}, // we print errors ourselves, once
		OnUsageError: func(c *cli.Context, err error, isSub bool) error {
			return usagef("%v (see 'savepoint --help')", err)
		},
	}
}

func commands() []*cli.Command {
	return []*cli.Command{
		initCommand(),
		saveCommand(),
		snapshotsCommand(),
		lsCommand(),
		diffCommand(),
		showCommand(),
		restoreCommand(),
		checkpointCommand(),
		rollbackCommand(),
		dumpCommand(),
		forgetCommand(),
		pruneCommand(),
		verifyCommand(),
		migrateCommand(),
		copyCommand(),
		repairCommand(),
		serveCommand(),
		tokenCommand(),
		remoteCommand(),
		versionCommand(),
		completionCommand(),
	}
}

// needArgs checks the number of positional arguments.
func needArgs(c *cli.Context, min, max int, what string) error {
	n := c.NArg()
	if n < min || (max >= 0 && n > max) {
		name := commandName(c)
		return usagef("%s: expected %s (see 'savepoint %s --help')", name, what, name)
	}
	return nil
}
