package cli

import (
	"github.com/urfave/cli/v2"
)

// globalFlags are accepted before any command and by every command.
func globalFlags() []cli.Flag {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "repo", Aliases: []string{"r"}, EnvVars: []string{"SAVEPOINT_REPOSITORY"},
			Usage: "repository: a path, file://PATH, s3://BUCKET/PREFIX, oci://REGISTRY/REPO or https://SERVER/NAME"},
		&cli.StringFlag{Name: "password-file", EnvVars: []string{"SAVEPOINT_PASSWORD_FILE"},
			Usage: "read the repository password from `FILE` (else SAVEPOINT_PASSWORD)"},
		&cli.StringFlag{Name: "password-command", EnvVars: []string{"SAVEPOINT_PASSWORD_COMMAND"},
			Usage: "run `COMMAND` (via sh -c) and use its output as the password"},
		&cli.BoolFlag{Name: "json", EnvVars: []string{"SAVEPOINT_JSON"}, Usage: "print results as JSON (docs/json.md)"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, EnvVars: []string{"SAVEPOINT_QUIET"}, Usage: "print no progress"},
		&cli.IntFlag{Name: "connections", EnvVars: []string{"SAVEPOINT_CONNECTIONS"}, Value: 4,
			Usage: "parallel uploads and downloads"},
	}
	flags = append(flags, s3Flags()...)
	flags = append(flags, ociFlags()...)
	flags = append(flags, serverFlags()...)
	flags = append(flags, dotenvFlags()...)
	return flags
}
