package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/chunker"
	"github.com/savepoint-ci/savepoint/core/repository"
)

// InitOptions are the options of init.
type InitOptions struct {
	NoEncryption bool
	Chunker      chunker.Params
	PackSize     int
	// CopyKeyFrom (FromRepo) names a repository whose master key the new
	// one shares (--copy-key-from), with its password and token.
	CopyKeyFrom FromOptions
}

func initCommand() *cli.Command {
	return define(&cli.Command{
		Name:  "init",
		Usage: "create a repository",
		Description: `With --copy-key-from, the new repository shares the master key (and chunker parameters and
format version) of an existing one, wrapped under its own password: blobs have the same IDs in both,
and copy moves stored data between them without re-sealing it. The existing repository's password
comes from --from-password-file, --from-password-command or SAVEPOINT_FROM_PASSWORD, a server's token
from --from-token-file or SAVEPOINT_FROM_TOKEN.`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "copy-key-from", Usage: "share the master key of the repository at `LOCATION` (see copy)"},
			&cli.BoolFlag{Name: "no-encryption", Usage: "create an UNENCRYPTED repository (contents readable by whoever can read the storage)"},
			&cli.IntFlag{Name: "chunk-min", Value: chunker.Default.Min, Usage: "smallest chunk in bytes"},
			&cli.IntFlag{Name: "chunk-avg", Value: chunker.Default.Avg, Usage: "average chunk in bytes (a power of two)"},
			&cli.IntFlag{Name: "chunk-max", Value: chunker.Default.Max, Usage: "largest chunk in bytes"},
			&cli.IntFlag{Name: "pack-size", Value: repository.DefaultPackSize, Usage: "target pack size in bytes"},
		}, fromSecretFlags()...),
	}, bindInit, runInit)
}

func bindInit(c *cli.Context) (InitOptions, error) {
	o := InitOptions{
		NoEncryption: c.Bool("no-encryption"), PackSize: c.Int("pack-size"),
		Chunker: chunker.Params{Min: c.Int("chunk-min"), Avg: c.Int("chunk-avg"), Max: c.Int("chunk-max")},
	}
	if err := needArgs(c, 0, 0, "no arguments"); err != nil {
		return o, err
	}
	o.CopyKeyFrom = bindFrom(c, "copy-key-from", "")
	if o.CopyKeyFrom.FromRepo != "" {
		// The chunker parameters are the source's: they decide the IDs.
		if c.IsSet("chunk-min") || c.IsSet("chunk-avg") || c.IsSet("chunk-max") {
			return o, usagef("init: --copy-key-from takes the source's chunker parameters: leave out --chunk-min/--chunk-avg/--chunk-max")
		}
		o.Chunker = chunker.Params{}
		return o, nil
	}
	for _, f := range []string{"from-password-file", "from-password-command", "from-token-file"} {
		if c.IsSet(f) {
			return o, usagef("init: --%s needs --copy-key-from", f)
		}
	}
	if err := o.Chunker.Validate(); err != nil {
		return o, usagef("init: %v", err)
	}
	return o, nil
}

func runInit(ctx context.Context, g *Globals, o InitOptions) error {
	be, pw, err := g.backendAndPassword(ctx)
	if err != nil {
		return err
	}
	ro := repository.InitOptions{Password: pw, NoEncryption: o.NoEncryption, Chunker: o.Chunker, PackSize: o.PackSize}
	if o.CopyKeyFrom.FromRepo != "" {
		if same, err := sameLocation(g.Repo, o.CopyKeyFrom.FromRepo); err == nil && same {
			return usagef("init: --copy-key-from and --repo name the same repository")
		}
		// The source first: a wrong password leaves no empty repository behind.
		src, err := openSource(ctx, g, o.CopyKeyFrom)
		if err != nil {
			return err
		}
		defer src.Close()
		ro.KeyFrom = src
	}
	repo, err := repository.Init(ctx, be, ro)
	if errors.Is(err, repository.ErrKeyFromMismatch) {
		return usagef("init: %v", err)
	}
	if err != nil {
		return err
	}
	defer repo.Close()
	cfg := repo.Config()
	if g.JSON {
		out := map[string]any{"repository": be.Location(), "id": cfg.ID, "encryption": cfg.Encryption, "version": cfg.Version}
		if ro.KeyFrom != nil {
			out["key_from"] = ro.KeyFrom.Config().ID
		}
		return printJSON(g.Env.Stdout, out)
	}
	shared := ""
	if ro.KeyFrom != nil {
		shared = fmt.Sprintf(", sharing the master key of %s", ro.KeyFrom.Config().ID[:8])
	}
	fmt.Fprintf(g.Env.Stdout, "created repository %s at %s (encryption: %s%s)\n", cfg.ID[:8], be.Location(), cfg.Encryption, shared)
	return nil
}
