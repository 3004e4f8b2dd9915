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

func completionCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script (bash, zsh or fish)",
		ArgsUsage: "SHELL",
		Description: "bash:  source <(savepoint completion bash)   (or save it in /etc/bash_completion.d/savepoint)\n" +
			"zsh:   savepoint completion zsh > \"${fpath[1]}/_savepoint\"\n" +
			"fish:  savepoint completion fish > ~/.config/fish/completions/savepoint.fish",
		Action: func(c *cli.Context) error {
			o, err := bindCompletion(c)
			if err != nil {
				return err
			}
			return runCompletion(c.Context, env, c.App, o)
		},
	}
}

func bindCompletion(c *cli.Context) (CompletionOptions, error) {
	if err := needArgs(c, 1, 1, "one SHELL: bash, zsh or fish"); err != nil {
		return CompletionOptions{}, err
	}
	o := CompletionOptions{Shell: c.Args().First()}
	switch o.Shell {
	case "bash", "zsh", "fish":
		return o, nil
	}
	return o, usagef("completion: unknown shell %q: give bash, zsh or fish", o.Shell)
}

func runCompletion(_ context.Context, env Env, app *cli.App, o CompletionOptions) error {
	var script string
	switch o.Shell {
	case "bash":
		script = bashCompletion(app)
	case "zsh":
		script = zshCompletion(app)
	case "fish":
		s, err := fishCompletion(app)
		if err != nil {
			return fmt.Errorf("completion: %w", err)
		}
		script = s
	}
	_, err := fmt.Fprint(env.Stdout, script)
	return err
}
