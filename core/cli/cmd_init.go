package cli

import (
	"context"
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
}

func initCommand() *cli.Command {
	return define(&cli.Command{
		Name:  "init",
		Usage: "create a repository",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "no-encryption", Usage: "create an UNENCRYPTED repository (contents readable by whoever can read the storage)"},
			&cli.IntFlag{Name: "chunk-min", Value: chunker.Default.Min, Usage: "smallest chunk in bytes"},
			&cli.IntFlag{Name: "chunk-avg", Value: chunker.Default.Avg, Usage: "average chunk in bytes (a power of two)"},
			&cli.IntFlag{Name: "chunk-max", Value: chunker.Default.Max, Usage: "largest chunk in bytes"},
			&cli.IntFlag{Name: "pack-size", Value: repository.DefaultPackSize, Usage: "target pack size in bytes"},
		},
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
	repo, err := repository.Init(ctx, be, repository.InitOptions{
		Password: pw, NoEncryption: o.NoEncryption, Chunker: o.Chunker, PackSize: o.PackSize,
	})
	if err != nil {
		return err
	}
	defer repo.Close()
	cfg := repo.Config()
	if g.JSON {
		return printJSON(g.Env.Stdout, map[string]any{"repository": be.Location(), "id": cfg.ID, "encryption": cfg.Encryption, "version": cfg.Version})
	}
	fmt.Fprintf(g.Env.Stdout, "created repository %s at %s (encryption: %s)\n", cfg.ID[:8], be.Location(), cfg.Encryption)
	return nil
}
