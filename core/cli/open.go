package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/crypto"
	"github.com/savepoint-ci/savepoint/core/location"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// backend opens the storage named by --repo.
func backend(c *cli.Context, env Env) (storage.Backend, error) {
	url := c.String("repo")
	if url == "" {
		return nil, usagef("no repository given: use --repo or SAVEPOINT_REPOSITORY")
	}
	return location.Open(c.Context, url, locationOptions(c, env))
}

// locationOptions are the storage settings of the global flags.
func locationOptions(c *cli.Context, env Env) location.Options {
	return location.Options{
		Getenv:      env.Getenv,
		Connections: c.Int("connections"),
		S3:          s3Options(c),
		OCI:         ociOptions(c),
		Server:      serverOptions(c),
	}
}

// password finds the repository password: --password-file, then
// --password-command, then SAVEPOINT_PASSWORD. Empty means none given.
func password(c *cli.Context, env Env) (string, error) {
	if f := c.String("password-file"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("password file: %v", unwrapPath(err))
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	if cmd := c.String("password-command"); cmd != "" {
		var stderr bytes.Buffer
		x := exec.CommandContext(c.Context, "sh", "-c", cmd)
		x.Stderr = &stderr
		out, err := x.Output()
		if err != nil {
			// Never echo the command's output: it may be the secret.
			return "", fmt.Errorf("password command failed: %v", err)
		}
		return strings.TrimRight(string(out), "\r\n"), nil
	}
	return env.Getenv("SAVEPOINT_PASSWORD"), nil
}

// openRepo opens the repository for a command.
func openRepo(c *cli.Context, env Env) (*repository.Repository, error) {
	be, err := backend(c, env)
	if err != nil {
		return nil, err
	}
	pw, err := password(c, env)
	if err != nil {
		return nil, err
	}
	repo, err := repository.Open(c.Context, be, repository.OpenOptions{Password: pw, Connections: c.Int("connections")})
	if err != nil {
		return nil, describeOpenError(be, err)
	}
	return repo, nil
}

func describeOpenError(be storage.Backend, err error) error {
	switch {
	case errors.Is(err, crypto.ErrWrongPassword):
		return fmt.Errorf("wrong password for the repository at %s", be.Location())
	case errors.Is(err, context.Canceled):
		return err
	}
	return err
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", pe.Path, pe.Err)
	}
	return err
}
