package location

import (
	"fmt"
	"os"
	"strings"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/remote"
)

// ServerOptions are the settings of repositories behind `savepoint serve`
// (https://HOST[:PORT]/NAME).
type ServerOptions struct {
	// TokenFile holds the bearer token (--token-file, SAVEPOINT_TOKEN_FILE);
	// it wins over SAVEPOINT_TOKEN. The token never passes through a flag.
	TokenFile string
	// CAFile is a PEM file of CA certificates to trust for the server
	// (--server-ca-file). Fallback: SAVEPOINT_SERVER_CA_FILE.
	CAFile string
}

// openServer opens https://HOST[:PORT]/NAME (http:// on loopback only).
func openServer(url string, opts Options) (storage.Backend, error) {
	token, err := serverToken(opts)
	if err != nil {
		return nil, err
	}
	return remote.New(remote.Options{URL: url, Token: token, CAFile: ServerCAFile(opts), Connections: opts.Connections})
}

// serverToken reads the token from the token file, else SAVEPOINT_TOKEN.
func serverToken(opts Options) (string, error) {
	f := opts.Server.TokenFile
	if f == "" {
		return strings.TrimSpace(opts.getenv("SAVEPOINT_TOKEN")), nil
	}
	data, err := os.ReadFile(f)
	if err != nil {
		return "", fmt.Errorf("token file: %v: %w", err, storage.ErrInvalid)
	}
	tok := strings.TrimSpace(string(data))
	if tok == "" {
		return "", fmt.Errorf("token file %s is empty: %w", f, storage.ErrInvalid)
	}
	return tok, nil
}

// ServerToken is the token of repositories behind a server: the token
// file's, else SAVEPOINT_TOKEN (`savepoint remote` sends it to the
// server's management API).
func ServerToken(opts Options) (string, error) { return serverToken(opts) }

// ServerCAFile is the CA file to trust for a server: the option's, else
// SAVEPOINT_SERVER_CA_FILE.
func ServerCAFile(opts Options) string {
	if opts.Server.CAFile != "" {
		return opts.Server.CAFile
	}
	return opts.getenv("SAVEPOINT_SERVER_CA_FILE")
}
