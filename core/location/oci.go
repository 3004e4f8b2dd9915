package location

import (
	"context"
	"strings"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/oci"
)

// OCIOptions are the settings of oci:// repositories.
type OCIOptions struct {
	// Insecure allows plain HTTP to a registry that is not on a loopback
	// address (--insecure-registry). Loopback registries may always use it.
	Insecure bool
	// Username for the registry (--registry-user). Empty: the CI platform's
	// conventions, then the docker keychain.
	Username string
	// PasswordEnv names the environment variable that holds the password or
	// token (--registry-password-env); the value itself never passes
	// through flags or logs.
	PasswordEnv string
}

// openOCI opens oci://registry/namespace/name. Credentials: explicit flags,
// then GITHUB_TOKEN / INPUT_TOKEN for ghcr.io, then CI_REGISTRY_USER /
// CI_REGISTRY_PASSWORD for the job's CI_REGISTRY, then the docker keychain
// (see oci.Credentials).
func openOCI(ctx context.Context, url string, opts Options) (storage.Backend, error) {
	ref := strings.TrimPrefix(url, "oci://")
	host, _, _ := strings.Cut(ref, "/")
	user, pass, err := oci.Credentials(host, opts.OCI.Username, opts.OCI.PasswordEnv, opts.Getenv)
	if err != nil {
		return nil, err
	}
	return oci.New(ref, oci.Options{Username: user, Password: pass, Insecure: opts.OCI.Insecure, Connections: opts.Connections})
}
