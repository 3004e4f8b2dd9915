package cli

import (
	"context"
	"errors"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/location"
)

// Globals are the global flags, with the version and the environment of
// the run: what every run function gets besides its own options.
type Globals struct {
	Version         string
	Repo            string
	PasswordFile    string
	PasswordCommand string
	JSON            bool
	Quiet           bool
	Connections     int
	Dotenv          string
	S3              location.S3Options
	OCI             location.OCIOptions
	Server          location.ServerOptions
	Env             Env `json:"-"`
}

// App metadata keys: the run's Env, and where Parse wants the result.
const (
	metaEnv    = "savepoint.env"
	metaParsed = "savepoint.parsed"
)

// envOf is the Env the app was made with.
func envOf(c *cli.Context) Env {
	env, _ := c.App.Metadata[metaEnv].(Env)
	return env
}

// bindGlobals reads the global flags from the app's own context, where
// interspersed put them: a command's flag of the same name (token create
// --repo NAME) does not hide them.
func bindGlobals(c *cli.Context) *Globals {
	env := envOf(c)
	c = appContext(c)
	return &Globals{
		Version: c.App.Version, Repo: c.String("repo"),
		PasswordFile: c.String("password-file"), PasswordCommand: c.String("password-command"),
		JSON: c.Bool("json"), Quiet: c.Bool("quiet"), Connections: c.Int("connections"),
		Dotenv: c.String("dotenv"), S3: s3Options(c), OCI: ociOptions(c), Server: serverOptions(c), Env: env,
	}
}

// commandName is the command as typed, subcommands included: "save",
// "token create".
func commandName(c *cli.Context) string {
	var names []string
	for _, x := range c.Lineage() {
		if x == appContext(c) {
			break
		}
		names = append([]string{x.Command.Name}, names...)
	}
	return strings.Join(names, " ")
}

// appContext is the context of the app itself, whose flags are the global
// ones. Lineage ends with it, then urfave/cli's bare context around ctx.
func appContext(c *cli.Context) *cli.Context {
	l := c.Lineage()
	if len(l) < 2 {
		return c
	}
	return l[len(l)-2]
}

// define completes a command: its action binds the flags into the options
// struct O (bind: the only code that reads flags, and where usage errors
// are found) and calls run, which knows nothing of urfave/cli.
func define[O any](cmd *cli.Command, bind func(c *cli.Context) (O, error), run func(ctx context.Context, g *Globals, o O) error) *cli.Command {
	cmd.Action = func(c *cli.Context) error {
		o, err := bind(c)
		if err != nil {
			return err
		}
		g := bindGlobals(c)
		if p, ok := c.App.Metadata[metaParsed].(*Parsed); ok {
			*p = Parsed{Command: commandName(c), Globals: *g, Options: o}
			return nil
		}
		return run(c.Context, g, o)
	}
	cmd.OnUsageError = onUsageError
	return cmd
}

// argsCommand defines a command without flags of its own that takes from
// min to max positional arguments (max -1: any number; what names them in
// the usage error); bind reads them into O, its errors are usage errors.
func argsCommand[O any](name, usage, argsUsage string, min, max int, what string, bind func(args cli.Args) (O, error), run func(ctx context.Context, g *Globals, o O) error) *cli.Command {
	return define(&cli.Command{Name: name, Usage: usage, ArgsUsage: argsUsage}, func(c *cli.Context) (O, error) {
		if err := needArgs(c, min, max, what); err != nil {
			var o O
			return o, err
		}
		return bind(c.Args())
	}, run)
}

// group is a command that only groups its subcommands (token, repair,
// remote and remote's jobs and schedules).
func group(name, usage string, subcommands ...*cli.Command) *cli.Command {
	return &cli.Command{Name: name, Usage: usage, Subcommands: subcommands}
}

func onUsageError(c *cli.Context, err error, isSub bool) error {
	return usagef("%v (see 'savepoint %s --help')", err, commandName(c))
}

// Parsed is a command line as the CLI understands it, without running it.
type Parsed struct {
	Command string // as typed: "save", "token create"
	Globals Globals
	// Options is the command's options struct (SaveOptions for save,
	// RestoreOptions for restore, ...).
	Options any
}

// Parse parses args (without the program name) as Run would, flags after
// arguments and global flags after the command included, and returns the
// command with its bound options instead of running it. Usage errors are
// those Run would report with exit code 2. The entrypoints' tests parse
// every argument list they generate with it.
func Parse(args []string) (*Parsed, error) {
	var p Parsed
	app := NewApp("parse", Env{Getenv: func(string) string { return "" }})
	app.Metadata[metaParsed] = &p
	if err := run(context.Background(), app, args); err != nil {
		return nil, err
	}
	if p.Command == "" {
		return nil, errors.New("no command")
	}
	return &p, nil
}
