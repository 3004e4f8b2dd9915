package cli

import (
	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/location"
)

// serverFlags are the settings of repositories behind a savepoint server
// (https://HOST/NAME). The token itself never goes in a flag: it comes
// from --token-file or SAVEPOINT_TOKEN.
func serverFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "token-file", EnvVars: []string{"SAVEPOINT_TOKEN_FILE"}, Usage: "read the server token from `FILE` (else SAVEPOINT_TOKEN)"},
		&cli.StringFlag{Name: "server-ca-file", Usage: "PEM `FILE` of CAs to trust for the server (env SAVEPOINT_SERVER_CA_FILE)"},
	}
}

func serverOptions(c *cli.Context) location.ServerOptions {
	return location.ServerOptions{TokenFile: c.String("token-file"), CAFile: c.String("server-ca-file")}
}
