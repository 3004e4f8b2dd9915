package location

import (
	"context"
	"fmt"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// OCIOptions are the settings of oci:// repositories.
type OCIOptions struct{}

func openOCI(ctx context.Context, url string, opts Options) (storage.Backend, error) {
	return nil, fmt.Errorf("oci repositories are not supported by this build")
}
