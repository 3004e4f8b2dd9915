package cli

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/chunker"
	"github.com/savepoint-ci/savepoint/core/repository"
)

func initCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:  "init",
		Usage: "create a repository",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "no-encryption", Usage: "create an UNENCRYPTED repository (contents readable by whoever can read the storage)"},
			&cli.IntFlag{Name: "chunk-min", Value: chunker.Default.Min, Usage: "smallest chunk in bytes"},
			&cli.IntFlag{Name: "chunk-avg", Value: chunker.Default.Avg, Usage: "average chunk in bytes (a power of two)"},
			&cli.IntFlag{Name: "chunk-max", Value: chunker.Default.Max, Usage: "largest chunk in bytes"},
			&cli.IntFlag{Name: "pack-size", Value: repository.DefaultPackSize, Usage: "target pack size in bytes"},
		},
		Action: func(c *cli.Context) error {
			if err := needArgs(c, 0, 0, "no arguments"); err != nil {
				return err
			}
			be, err := backend(c, env)
			if err != nil {
				return err
			}
			pw, err := password(c, env)
			if err != nil {
				return err
			}
			params := chunker.Params{Min: c.Int("chunk-min"), Avg: c.Int("chunk-avg"), Max: c.Int("chunk-max")}
			if err := params.Validate(); err != nil {
				return usagef("init: %v", err)
			}
			repo, err := repository.Init(c.Context, be, repository.InitOptions{
				Password: pw, NoEncryption: c.Bool("no-encryption"), Chunker: params, PackSize: c.Int("pack-size"),
			})
			if err != nil {
				return err
			}
			cfg := repo.Config()
			if c.Bool("json") {
				return printJSON(env.Stdout, map[string]any{"repository": be.Location(), "id": cfg.ID, "encryption": cfg.Encryption, "version": cfg.Version})
			}
			fmt.Fprintf(env.Stdout, "created repository %s at %s (encryption: %s)\n", cfg.ID[:8], be.Location(), cfg.Encryption)
			return nil
		},
	}
}
