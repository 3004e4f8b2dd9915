package cli

import (
	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/location"
)

// s3Flags are the settings of s3:// repositories.
func s3Flags() []cli.Flag { return nil }

func s3Options(c *cli.Context) location.S3Options { return location.S3Options{} }
