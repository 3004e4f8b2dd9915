package cli

import (
	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/location"
)

// s3Flags are the settings of s3:// repositories. Their environment
// fallbacks (SAVEPOINT_S3_*, AWS_*) are read by core/location, so every
// entrypoint gets the same ones.
func s3Flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "s3-endpoint", Usage: "S3 endpoint `HOST[:PORT]` or URL (default AWS; env SAVEPOINT_S3_ENDPOINT, AWS_ENDPOINT_URL)"},
		&cli.StringFlag{Name: "s3-region", Usage: "bucket region (env SAVEPOINT_S3_REGION, AWS_REGION)"},
		&cli.BoolFlag{Name: "s3-path-style", Usage: "path-style addressing (MinIO, Ceph)"},
		&cli.BoolFlag{Name: "s3-virtual-host", Usage: "virtual-host addressing"},
		&cli.BoolFlag{Name: "s3-insecure", Usage: "plain HTTP instead of HTTPS"},
		&cli.StringFlag{Name: "s3-ca-file", Usage: "PEM `FILE` of extra CAs to trust"},
		&cli.StringFlag{Name: "s3-storage-class", Usage: "storage class for data packs only (metadata stays readable without a restore)"},
		&cli.StringFlag{Name: "s3-profile", Usage: "profile of the AWS shared credentials file (env AWS_PROFILE)"},
	}
}

func s3Options(c *cli.Context) location.S3Options {
	return location.S3Options{
		Endpoint: c.String("s3-endpoint"), Region: c.String("s3-region"),
		PathStyle: c.Bool("s3-path-style"), VirtualHost: c.Bool("s3-virtual-host"),
		Insecure: c.Bool("s3-insecure"), CAFile: c.String("s3-ca-file"),
		StorageClass: c.String("s3-storage-class"), Profile: c.String("s3-profile"),
	}
}
