package cli

import (
	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/location"
)

// ociFlags are the settings of oci:// repositories.
func ociFlags() []cli.Flag { return nil }

func ociOptions(c *cli.Context) location.OCIOptions { return location.OCIOptions{} }
