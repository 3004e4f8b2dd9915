package location

import (
	"context"
	"fmt"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// S3Options are the settings of s3:// repositories.
type S3Options struct{}

func openS3(ctx context.Context, url string, opts Options) (storage.Backend, error) {
	return nil, fmt.Errorf("s3 repositories are not supported by this build")
}
