// Package cli is the savepoint command line, shared by the savepoint binary
// and the platform entrypoints (which build arguments from their inputs and
// call Run or Execute). It turns flags into core operations, prints results
// as text or JSON, and maps errors to one line and an exit code; it never
// exits itself.
//
// # Adding a command
//
// Every command follows one pattern (restic's cmd_backup.go: BackupOptions
// then runBackup), in a file cmd_NAME.go:
//
//   - an exported NAMEOptions struct holds everything the command's own
//     flags and arguments say, in the core's types (durations parsed, sizes
//     in bytes, "unset" as a nil pointer, never a magic value);
//   - bindNAME(c *cli.Context) (NAMEOptions, error) is the only code that
//     reads the command's flags; it checks them, and its errors are usage
//     errors (usagef, exit 2);
//   - runNAME(ctx, g *Globals, o NAMEOptions) error does the work and knows
//     nothing of urfave/cli: g holds the global flags, the version and the
//     streams;
//   - NAMECommand() declares the flags and joins the two with
//     define(cmd, bindNAME, runNAME), then is listed in commands() (app.go).
//
// A command without flags of its own (diff, ls, show, dump) is
// argsCommand(name, usage, argsUsage, min, max, what, bind, runNAME): it
// checks the number of arguments, and bind reads them into NAMEOptions.
//
// A command with subcommands (token create|list|revoke) is a group
// (command.go) of subcommands each defined that way, NAME being
// both words (TokenCreateOptions, bindTokenCreate, runTokenCreate).
// interspersed (args.go) finds the subcommand, so its flags may follow its
// arguments and may share a global flag's name (token create --repo NAME).
//
// A run function that needs the repository calls withRepo (open.go) with
// the access it needs: listing (plain open), reading (announces a reader
// session so that prune keeps what it reads: restore, rollback, dump) or
// writing (a writer session: save, checkpoint). withRepo opens, announces,
// and closes; no command does that itself.
//
// Errors: return core errors as they are (wrapped with %w). ExitCode
// (exitcode.go) maps sentinel errors to the documented exit codes in one
// table, and withHint adds the command line's advice (which flag to set) to
// the core's sentinels; add new sentinels there, never match message text.
//
// Parse runs the same binding without running the command: tests of the
// entrypoints parse every argument list they generate with it.
package cli
