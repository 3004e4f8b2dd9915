package cli

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"
)

// CompletionOptions are the options of completion.
type CompletionOptions struct {
	Shell string // bash, zsh or fish
}

func completionCommand() *cli.Command {
	cmd := argsCommand("completion", "print a shell completion script (bash, zsh or fish)", "SHELL", 1, 1, "one SHELL: bash, zsh or fish",
		bindCompletion, runCompletion)
	cmd.Description = "bash:  source <(savepoint completion bash)   (or save it in /etc/bash_completion.d/savepoint)\n" +
		"zsh:   savepoint completion zsh > \"${fpath[1]}/_savepoint\"\n" +
		"fish:  savepoint completion fish > ~/.config/fish/completions/savepoint.fish"
	return cmd
}

func bindCompletion(args cli.Args) (CompletionOptions, error) {
	o := CompletionOptions{Shell: args.First()}
	switch o.Shell {
	case "bash", "zsh", "fish":
		return o, nil
	}
	return o, usagef("completion: unknown shell %q: give bash, zsh or fish", o.Shell)
}

// runCompletion writes the script for the app's commands, built the same
// way as the running one (NewApp), so it knows every command and flag.
func runCompletion(_ context.Context, g *Globals, o CompletionOptions) error {
	app := NewApp(g.Version, g.Env)
	app.Setup() // adds --help and --version, as a run has them
	var script string
	switch o.Shell {
	case "bash":
		script = bashCompletion(app)
	case "zsh":
		script = zshCompletion(app)
	case "fish":
		script = fishCompletion(app)
	}
	_, err := fmt.Fprint(g.Env.Stdout, script)
	return err
}
