package cli

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/capture"
	"github.com/savepoint-ci/savepoint/core/image"
	"github.com/savepoint-ci/savepoint/core/progress"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage/oci"
)

// captureFlags are the non-file sources of save and checkpoint.
func captureFlags() []cli.Flag {
	flags := []cli.Flag{
		&cli.StringSliceFlag{Name: "command", Usage: "store the output of `NAME=COMMAND` (run with sh -c), e.g. 'db=pg_dump -Fp app' (repeatable)"},
		&cli.StringSliceFlag{Name: "restore-command", Usage: "`NAME=COMMAND` that reads the source back on rollback, e.g. 'db=psql -v ON_ERROR_STOP=1 app' (repeatable)"},
		&cli.StringFlag{Name: "stdin", Usage: "store standard input as the source `NAME` (pg_dump app | savepoint save --stdin db)"},
		&cli.StringSliceFlag{Name: "image", Usage: "record the digest of `NAME=REGISTRY/REPO:TAG` (repeatable)"},
		&cli.BoolFlag{Name: "pin", Usage: "also tag each --image manifest with a savepoint-pin-... tag, so it survives tag moves and registry GC"},
	}
	return append(flags, imageFlags()...)
}

// imageFlags configure registry access for --image and rollback.
// (flags_oci.go has the repository's own registry flags.)
func imageFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "image-insecure", EnvVars: []string{"SAVEPOINT_IMAGE_INSECURE"}, Usage: "use plain HTTP for image registries (loopback registries always do; also --insecure-registry)"},
		&cli.StringFlag{Name: "image-user", EnvVars: []string{"SAVEPOINT_IMAGE_USER"}, Usage: "image registry user, when it differs from --registry-user (default: CI_REGISTRY_USER, GITHUB_TOKEN for ghcr.io, docker login)"},
		&cli.StringFlag{Name: "image-password-env", EnvVars: []string{"SAVEPOINT_IMAGE_PASSWORD_ENV"}, Usage: "read the image registry password from the environment variable `VAR` (default: --registry-password-env)"},
	}
}

// imageClient builds the registry client for image sources. Credentials
// follow the OCI backend's rules (oci.Credentials: explicit user and
// password variable, GITHUB_TOKEN/INPUT_TOKEN for ghcr.io, CI_REGISTRY_USER
// for GitLab's CI_REGISTRY, then the Docker keychain), with --image-user and
// --image-password-env when given, else the global --registry-user and
// --registry-password-env.
func imageClient(c *cli.Context, env Env) (*image.Client, error) {
	user, pwEnv := c.String("image-user"), c.String("image-password-env")
	if user == "" && pwEnv == "" {
		user, pwEnv = c.String("registry-user"), c.String("registry-password-env")
	}
	if pwEnv != "" && env.Getenv(pwEnv) == "" {
		return nil, usagef("the image registry password variable %s is empty or not set", pwEnv)
	}
	return image.New(image.Options{
		Insecure: c.Bool("image-insecure") || c.Bool("insecure-registry"),
		Getenv:   env.Getenv,
		Credentials: func(host string) (string, string, error) {
			u, p, err := oci.Credentials(host, user, pwEnv, env.Getenv)
			if err != nil {
				return "", "", fmt.Errorf("registry credentials for %s: %w", host, err)
			}
			return u, p, nil
		},
		UserAgent: "savepoint/" + c.App.Version,
	}), nil
}

// captureSpecs checks the capture flags before anything runs.
type captureSpecs struct {
	commands []capture.Spec
	restores map[string]string
	images   []capture.Spec
	stdin    string
}

func parseCaptureFlags(c *cli.Context) (captureSpecs, error) {
	var cs captureSpecs
	names := map[string]bool{}
	add := func(name string) error {
		if names[name] {
			return usagef("source name %q given twice", name)
		}
		names[name] = true
		return nil
	}
	for _, s := range c.StringSlice("command") {
		sp, err := capture.ParseSpec("command", s)
		if err != nil {
			return cs, usageError{err.Error()}
		}
		if err := add(sp.Name); err != nil {
			return cs, err
		}
		cs.commands = append(cs.commands, sp)
	}
	if cs.stdin = c.String("stdin"); cs.stdin != "" {
		if err := capture.ValidName(cs.stdin); err != nil {
			return cs, usagef("--stdin: %v", err)
		}
		if err := add(cs.stdin); err != nil {
			return cs, err
		}
	}
	for _, s := range c.StringSlice("image") {
		sp, err := capture.ParseSpec("image", s)
		if err != nil {
			return cs, usageError{err.Error()}
		}
		if err := add(sp.Name); err != nil {
			return cs, err
		}
		cs.images = append(cs.images, sp)
	}
	var err error
	if cs.restores, err = parseRestoreCommands(c); err != nil {
		return cs, err
	}
	for name := range cs.restores {
		if !names[name] {
			return cs, usagef("--restore-command %s: no --command or --stdin source of that name", name)
		}
		for _, im := range cs.images {
			if im.Name == name {
				return cs, usagef("--restore-command %s: %s is an image (rollback re-points its tag)", name, name)
			}
		}
	}
	if c.Bool("pin") && len(cs.images) == 0 {
		return cs, usagef("--pin needs at least one --image")
	}
	return cs, nil
}

func parseRestoreCommands(c *cli.Context) (map[string]string, error) {
	m := map[string]string{}
	for _, s := range c.StringSlice("restore-command") {
		sp, err := capture.ParseSpec("restore-command", s)
		if err != nil {
			return nil, usageError{err.Error()}
		}
		m[sp.Name] = sp.Value
	}
	return m, nil
}

func (cs captureSpecs) empty() bool {
	return len(cs.commands) == 0 && len(cs.images) == 0 && cs.stdin == ""
}

// captureSources runs the commands, reads stdin and resolves the images,
// in that order. Any failure returns an error and nothing is committed.
func captureSources(c *cli.Context, env Env, repo *repository.Repository, cs captureSpecs) ([]snapshot.Source, error) {
	var out []snapshot.Source
	rep := newReporter(env, c.Bool("quiet"))
	defer rep.Done()
	for _, sp := range cs.commands {
		var stderr = env.Stderr
		if c.Bool("quiet") {
			stderr = nil
		}
		src, err := capture.RunCommand(c.Context, repo, capture.Command{Name: sp.Name, Command: sp.Value, RestoreCommand: cs.restores[sp.Name], Stderr: stderr, Env: childEnv(c), Reporter: rep})
		if err != nil {
			return nil, fmt.Errorf("%v; nothing was committed", err)
		}
		out = append(out, src)
	}
	if cs.stdin != "" {
		counters := &progress.Counters{}
		rep.Phase("stdin "+cs.stdin, counters)
		src, err := capture.Stdin(c.Context, repo, cs.stdin, cs.restores[cs.stdin], &capture.CountingReader{R: env.Stdin, N: &counters.Bytes})
		if err != nil {
			return nil, err
		}
		out = append(out, src)
	}
	if len(cs.images) == 0 {
		return out, nil
	}
	ic, err := imageClient(c, env)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	for _, sp := range cs.images {
		var rec image.Record
		if c.Bool("pin") {
			rec, err = ic.ResolveAndPin(c.Context, sp.Value, now)
		} else {
			rec, err = ic.Resolve(c.Context, sp.Value)
		}
		if err != nil {
			return nil, fmt.Errorf("image %s: %v; nothing was committed", sp.Name, err)
		}
		out = append(out, snapshot.Source{Kind: capture.KindImage, Name: sp.Name, Image: rec.Image, Digest: rec.Digest, PinTag: rec.PinTag})
	}
	return out, nil
}

// childEnv is the environment of dump and restore commands: this
// process's, without the repository password and the image registry
// password variable (a dump command has no business reading them).
func childEnv(c *cli.Context) []string {
	drop := map[string]bool{"SAVEPOINT_PASSWORD": true}
	for _, flag := range []string{"image-password-env", "registry-password-env"} {
		if v := c.String(flag); v != "" {
			drop[v] = true
		}
	}
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			out = append(out, kv)
		}
	}
	return out
}
