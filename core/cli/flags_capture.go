package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/capture"
	"github.com/savepoint-ci/savepoint/core/image"
	"github.com/savepoint-ci/savepoint/core/location"
	"github.com/savepoint-ci/savepoint/core/progress"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage/oci"
)

// CaptureOptions are the non-file sources of save and checkpoint, checked
// before anything runs.
type CaptureOptions struct {
	Commands []capture.Spec    // --command NAME=COMMAND
	Restores map[string]string // --restore-command NAME=COMMAND
	Images   []capture.Spec    // --image NAME=REF
	Stdin    string            // --stdin NAME
	Pin      bool              // --pin
	Image    ImageOptions
}

func (o CaptureOptions) empty() bool {
	return len(o.Commands) == 0 && len(o.Images) == 0 && o.Stdin == ""
}

// ImageOptions configure registry access for --image and rollback.
type ImageOptions struct {
	Insecure    bool
	User        string
	PasswordEnv string // the variable holding the password
}

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

// bindImage reads the image flags: --image-user and --image-password-env
// when given, else the global --registry-user and --registry-password-env.
func bindImage(c *cli.Context) (ImageOptions, error) {
	o := ImageOptions{Insecure: c.Bool("image-insecure") || c.Bool("insecure-registry"),
		User: c.String("image-user"), PasswordEnv: c.String("image-password-env")}
	if o.User == "" && o.PasswordEnv == "" {
		o.User, o.PasswordEnv = c.String("registry-user"), c.String("registry-password-env")
	}
	return o, nil
}

// imageClient builds the registry client for image sources. Credentials
// follow the OCI backend's rules (oci.Credentials: explicit user and
// password variable, GITHUB_TOKEN/INPUT_TOKEN for ghcr.io, CI_REGISTRY_USER
// for GitLab's CI_REGISTRY, then the Docker keychain).
func imageClient(g *Globals, o ImageOptions) (*image.Client, error) {
	if o.PasswordEnv != "" && g.Env.Getenv(o.PasswordEnv) == "" {
		return nil, usagef("the image registry password variable %s is empty or not set", o.PasswordEnv)
	}
	return image.New(image.Options{
		Insecure: o.Insecure,
		Getenv:   g.Env.Getenv,
		Credentials: func(host string) (string, string, error) {
			u, p, err := oci.Credentials(host, o.User, o.PasswordEnv, g.Env.Getenv)
			if err != nil {
				return "", "", fmt.Errorf("registry credentials for %s: %w", host, err)
			}
			return u, p, nil
		},
		UserAgent: "savepoint/" + g.Version,
	}), nil
}

func bindCapture(c *cli.Context) (CaptureOptions, error) {
	var o CaptureOptions
	names := map[string]bool{}
	add := func(name string) error {
		if names[name] {
			return usagef("source name %q given twice", name)
		}
		names[name] = true
		return nil
	}
	specs := func(kind string) ([]capture.Spec, error) {
		var out []capture.Spec
		for _, s := range c.StringSlice(kind) {
			sp, err := parseSpec(kind, s)
			if err != nil {
				return nil, err
			}
			if err := add(sp.Name); err != nil {
				return nil, err
			}
			out = append(out, sp)
		}
		return out, nil
	}
	var err error
	if o.Commands, err = specs("command"); err != nil {
		return o, err
	}
	if o.Stdin = c.String("stdin"); o.Stdin != "" {
		if err := capture.ValidName(o.Stdin); err != nil {
			return o, usagef("--stdin: %v", err)
		}
		if err := add(o.Stdin); err != nil {
			return o, err
		}
	}
	if o.Images, err = specs("image"); err != nil {
		return o, err
	}
	if o.Restores, err = bindRestoreCommands(c); err != nil {
		return o, err
	}
	for name := range o.Restores {
		if !names[name] {
			return o, usagef("--restore-command %s: no --command or --stdin source of that name", name)
		}
		for _, im := range o.Images {
			if im.Name == name {
				return o, usagef("--restore-command %s: %s is an image (rollback re-points its tag)", name, name)
			}
		}
	}
	if o.Pin = c.Bool("pin"); o.Pin && len(o.Images) == 0 {
		return o, usagef("--pin needs at least one --image")
	}
	o.Image, err = bindImage(c)
	return o, err
}

func bindRestoreCommands(c *cli.Context) (map[string]string, error) {
	m := map[string]string{}
	for _, s := range c.StringSlice("restore-command") {
		sp, err := parseSpec("restore-command", s)
		if err != nil {
			return nil, err
		}
		m[sp.Name] = sp.Value
	}
	return m, nil
}

// parseSpec reads NAME=VALUE given to flag (a usage error names the flag).
func parseSpec(flag, s string) (capture.Spec, error) {
	sp, err := capture.ParseSpec(s)
	if err != nil {
		return sp, usagef("--%s %v", flag, err)
	}
	return sp, nil
}

// captureSources runs the commands, reads stdin and resolves the images,
// in that order. Any failure returns an error and nothing is committed.
func captureSources(ctx context.Context, g *Globals, repo *repository.Repository, o CaptureOptions) ([]snapshot.Source, error) {
	var out []snapshot.Source
	rep := newReporter(g.Env, g.Quiet)
	defer rep.Done()
	for _, sp := range o.Commands {
		var stderr = g.Env.Stderr
		if g.Quiet {
			stderr = nil
		}
		src, err := capture.RunCommand(ctx, repo, capture.Command{Name: sp.Name, Command: sp.Value, RestoreCommand: o.Restores[sp.Name],
			Stderr: stderr, Env: childEnv(o.Image, g.OCI), Reporter: rep})
		if err != nil {
			return nil, fmt.Errorf("%w; nothing was committed", err)
		}
		out = append(out, src)
	}
	if o.Stdin != "" {
		counters := &progress.Counters{}
		rep.Phase("stdin "+o.Stdin, counters)
		src, err := capture.Stdin(ctx, repo, o.Stdin, o.Restores[o.Stdin], io.TeeReader(g.Env.Stdin, capture.Counter{N: &counters.Bytes}))
		if err != nil {
			return nil, err
		}
		out = append(out, src)
	}
	if len(o.Images) == 0 {
		return out, nil
	}
	ic, err := imageClient(g, o.Image)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	for _, sp := range o.Images {
		var rec image.Record
		if o.Pin {
			rec, err = ic.ResolveAndPin(ctx, sp.Value, now)
		} else {
			rec, err = ic.Resolve(ctx, sp.Value)
		}
		if err != nil {
			return nil, fmt.Errorf("image %s: %w; nothing was committed", sp.Name, err)
		}
		out = append(out, snapshot.Source{Kind: capture.KindImage, Name: sp.Name, Image: rec.Image, Digest: rec.Digest, PinTag: rec.PinTag})
	}
	return out, nil
}

// childEnv is the environment of dump and restore commands: this
// process's, without the repository password and the registry password
// variables (a dump command has no business reading them).
func childEnv(img ImageOptions, ociOpts location.OCIOptions) []string {
	drop := map[string]bool{"SAVEPOINT_PASSWORD": true}
	for _, v := range []string{img.PasswordEnv, ociOpts.PasswordEnv} {
		if v != "" {
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
