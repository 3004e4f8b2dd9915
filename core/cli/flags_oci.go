package cli

import (
	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/location"
)

// ociFlags are the settings of oci:// repositories (and of registries that
// image sources talk to).
func ociFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "insecure-registry", EnvVars: []string{"SAVEPOINT_INSECURE_REGISTRY"}, Usage: "allow plain HTTP to a non-loopback registry"},
		&cli.StringFlag{Name: "registry-user", EnvVars: []string{"SAVEPOINT_REGISTRY_USER"}, Usage: "registry user name"},
		&cli.StringFlag{Name: "registry-password-env", EnvVars: []string{"SAVEPOINT_REGISTRY_PASSWORD_ENV"}, Usage: "name of the environment `VARIABLE` holding the registry password or token"},
	}
}

func ociOptions(c *cli.Context) location.OCIOptions {
	return location.OCIOptions{
		Insecure: c.Bool("insecure-registry"), Username: c.String("registry-user"),
		PasswordEnv: c.String("registry-password-env"),
	}
}
