package oci

import (
	"errors"
	"fmt"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// Errors a caller may want to explain in its own terms (the command line
// names its flags); each also wraps the storage sentinel it is a case of.
var (
	// ErrIncompleteCredentials: a registry user without a password, or a
	// password without a user (Credentials).
	ErrIncompleteCredentials = fmt.Errorf("incomplete registry credentials: %w", storage.ErrPermission)
	// ErrNoCredentials: the registry wants credentials and none were found.
	ErrNoCredentials = fmt.Errorf("registry needs credentials and none were found: %w", storage.ErrPermission)
	// ErrCredentialsRefused: the registry refused the credentials given.
	ErrCredentialsRefused = fmt.Errorf("registry refused the credentials: %w", storage.ErrPermission)
	// ErrPlainHTTP: the registry speaks plain HTTP, which is only used for
	// loopback registries unless Options.Insecure allows it.
	ErrPlainHTTP = fmt.Errorf("plain HTTP is only used for loopback registries unless allowed: %w", storage.ErrUnavailable)
	// ErrUntrusted: the registry's TLS certificate is not trusted.
	ErrUntrusted = fmt.Errorf("the registry's TLS certificate is not trusted: %w", storage.ErrUnavailable)
)

// errPlainHTTP is what the transport refuses a plain-HTTP request with;
// its text is matched too, as the registry library may flatten it.
var errPlainHTTP = errors.New("plain HTTP to a registry that is not on loopback")
