package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/savepoint-ci/savepoint/core/crypto"
	"github.com/savepoint-ci/savepoint/core/location"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// access is how a command uses the repository (withRepo).
type access int

const (
	// listing opens the repository and nothing more (snapshots, ls, show,
	// diff, forget, prune, verify).
	listing access = iota
	// reading announces a long read as a session, like a save: prune then
	// keeps the packs it may read until it is done (docs/prune.md). Best
	// effort: with read-only credentials the marker cannot be written and
	// the read runs unannounced (restore, rollback, dump).
	reading
	// writing announces a writer session before anything is stored; the
	// command fails if it cannot (save, checkpoint).
	writing
)

// withRepo opens the repository named by the global flags, announces the
// session the access needs, runs fn, then ends the session and closes the
// repository.
func withRepo(ctx context.Context, g *Globals, how access, fn func(repo *repository.Repository) error) error {
	repo, err := openRepo(ctx, g)
	if err != nil {
		return err
	}
	defer repo.Close()
	if how != listing {
		host, _ := os.Hostname()
		err := repo.BeginSession(ctx, host, time.Now())
		if err != nil && how == writing {
			return err
		}
		defer repo.EndSession(context.WithoutCancel(ctx))
	}
	return fn(repo)
}

// openRepo opens the repository named by the global flags.
func openRepo(ctx context.Context, g *Globals) (*repository.Repository, error) {
	be, pw, err := g.backendAndPassword(ctx)
	if err != nil {
		return nil, err
	}
	repo, err := repository.Open(ctx, be, repository.OpenOptions{Password: pw, Connections: g.Connections})
	if errors.Is(err, crypto.ErrWrongPassword) {
		return nil, fmt.Errorf("%w for the repository at %s", crypto.ErrWrongPassword, be.Location())
	}
	return repo, err
}

// backendAndPassword are what opening or creating the repository of the
// global flags takes: its storage and its password.
func (g *Globals) backendAndPassword(ctx context.Context) (storage.Backend, string, error) {
	be, err := g.backend(ctx)
	if err != nil {
		return nil, "", err
	}
	pw, err := g.password(ctx)
	return be, pw, err
}

// backend opens the storage named by --repo.
func (g *Globals) backend(ctx context.Context) (storage.Backend, error) {
	if g.Repo == "" {
		return nil, usageError{withHint(location.ErrNoLocation).Error()}
	}
	return location.Open(ctx, g.Repo, g.locationOptions())
}

// locationOptions are the storage settings of the global flags (serve and
// token open their --storage with them too).
func (g *Globals) locationOptions() location.Options {
	return location.Options{
		Getenv: g.Env.Getenv, Connections: g.Connections, S3: g.S3, OCI: g.OCI, Server: g.Server,
	}
}

// password finds the repository password: --password-file, then
// --password-command, then SAVEPOINT_PASSWORD. Empty means none given.
func (g *Globals) password(ctx context.Context) (string, error) {
	if f := g.PasswordFile; f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("password file: %v", unwrapPath(err))
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	if cmd := g.PasswordCommand; cmd != "" {
		var stderr bytes.Buffer
		x := exec.CommandContext(ctx, "sh", "-c", cmd)
		x.Stderr = &stderr
		out, err := x.Output()
		if err != nil {
			// Never echo the command's output: it may be the secret.
			return "", fmt.Errorf("password command failed: %v", err)
		}
		return strings.TrimRight(string(out), "\r\n"), nil
	}
	return g.Env.Getenv("SAVEPOINT_PASSWORD"), nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", pe.Path, pe.Err)
	}
	return err
}
