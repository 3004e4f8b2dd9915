package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/crypto"
	"github.com/savepoint-ci/savepoint/core/repository"
)

// FromOptions name a second repository a command reads from (copy's
// source, the repository init --copy-key-from takes its key from) and
// its secrets: --from-password-file, --from-password-command or
// SAVEPOINT_FROM_PASSWORD, and a server's --from-token-file or
// SAVEPOINT_FROM_TOKEN. Storage settings (S3, OCI, CA) are the globals'.
type FromOptions struct {
	FromRepo            string
	FromPasswordFile    string
	FromPasswordCommand string
	FromTokenFile       string
}

// fromSecretFlags are the flags of the source's secrets.
func fromSecretFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "from-password-file", Usage: "read the source's password from `FILE` (env SAVEPOINT_FROM_PASSWORD_FILE; else SAVEPOINT_FROM_PASSWORD)"},
		&cli.StringFlag{Name: "from-password-command", Usage: "run `COMMAND` (via sh -c) and use its output as the source's password (env SAVEPOINT_FROM_PASSWORD_COMMAND)"},
		&cli.StringFlag{Name: "from-token-file", Usage: "read the source server's token from `FILE` (env SAVEPOINT_FROM_TOKEN_FILE; else SAVEPOINT_FROM_TOKEN)"},
	}
}

// bindFrom reads the source's flags, each falling back to its
// SAVEPOINT_FROM_* variable; repoFlag names the source's location, and
// repoEnv (if not empty) the variable that may stand for it.
func bindFrom(c *cli.Context, repoFlag, repoEnv string) FromOptions {
	// The SAVEPOINT_FROM_* variables come from the run's Env, like
	// SAVEPOINT_PASSWORD, so that tests and the platform entrypoints set them.
	getenv := envOf(c).Getenv
	from := func(flag, env string) string {
		if v := c.String(flag); v != "" || getenv == nil || env == "" {
			return v
		}
		return getenv(env)
	}
	return FromOptions{
		FromRepo: from(repoFlag, repoEnv), FromPasswordFile: from("from-password-file", "SAVEPOINT_FROM_PASSWORD_FILE"),
		FromPasswordCommand: from("from-password-command", "SAVEPOINT_FROM_PASSWORD_COMMAND"), FromTokenFile: from("from-token-file", "SAVEPOINT_FROM_TOKEN_FILE"),
	}
}

// openSource opens the source repository; its errors name the source.
func openSource(ctx context.Context, g *Globals, o FromOptions) (*repository.Repository, error) {
	src, err := openRepo(ctx, fromGlobals(g, o))
	if err != nil {
		return nil, sourceError(err)
	}
	return src, nil
}

// fromGlobals are the global settings for the source repository: its
// location, password and server token from the --from-* flags and the
// SAVEPOINT_FROM_* variables; storage settings (S3, OCI, CA) are shared.
func fromGlobals(g *Globals, o FromOptions) *Globals {
	s := *g
	s.Repo, s.PasswordFile, s.PasswordCommand = o.FromRepo, o.FromPasswordFile, o.FromPasswordCommand
	s.Server.TokenFile = o.FromTokenFile
	getenv := g.Env.Getenv
	s.Env.Getenv = func(k string) string {
		switch k {
		case "SAVEPOINT_PASSWORD":
			return getenv("SAVEPOINT_FROM_PASSWORD")
		case "SAVEPOINT_TOKEN":
			return getenv("SAVEPOINT_FROM_TOKEN")
		}
		return getenv(k)
	}
	return &s
}

// sourceError names the source in errors about its password, whose
// generic hints name the destination's flags.
func sourceError(err error) error {
	switch {
	case errors.Is(err, repository.ErrNeedPassword):
		return exitError{ExitPassword, errors.New("the source repository is encrypted and no password was given (set SAVEPOINT_FROM_PASSWORD, --from-password-file or --from-password-command)")}
	case errors.Is(err, crypto.ErrWrongPassword):
		return exitError{ExitPassword, fmt.Errorf("source: %v (check SAVEPOINT_FROM_PASSWORD, --from-password-file or --from-password-command)", err)}
	}
	return fmt.Errorf("source: %w", err)
}
