// Package protocol is the HTTP protocol between the remote storage backend
// (package remote, the client) and `savepoint serve` (package server): the
// paths, headers, error codes and JSON bodies both sides agree on. It stays
// close to the storage.Backend contract: objects by kind and name, lists by
// kind, ranged reads (docs/server.md, "Protocol").
//
//	POST   /NAME/                 create the repository's container
//	GET    /NAME/KIND/            list the objects of KIND (a JSON array of Entry)
//	HEAD   /NAME/KIND/OBJECT      stat
//	GET    /NAME/KIND/OBJECT      load; a Range header reads part of it
//	PUT    /NAME/KIND/OBJECT      save (Content-Length required)
//	DELETE /NAME/KIND/OBJECT      remove
//	POST   /NAME/maintenance/OP   run forget or prune on the server
//
// Every request carries "Authorization: Bearer TOKEN".
package protocol

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// Headers of the protocol.
const (
	// HeaderModTime carries an object's storage time (RFC 3339, nanoseconds)
	// in HEAD and GET responses; Last-Modified has only second precision.
	HeaderModTime = "X-Savepoint-Modtime"
	// HeaderSHA256 carries the lowercase hex SHA-256 of a PUT body. The
	// server refuses a body that does not match it; for content-addressed
	// kinds the object name is that digest already.
	HeaderSHA256 = "X-Savepoint-Content-Sha256"
	// HeaderRequestID is the server's id of the request, in every response
	// and every log line about it.
	HeaderRequestID = "X-Request-Id"
	// HeaderStored is "created" or "existed" in a PUT response: whether
	// the request stored the object or found identical bytes there.
	HeaderStored = "X-Savepoint-Stored"
)

// Entry is one object in a list response.
type Entry struct {
	Name    string    `json:"name"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mtime"`
}

// Error is the JSON body of every error response.
type Error struct {
	Message string `json:"error"`
	Code    Code   `json:"code"`
	// Role is the role that would be needed (Code forbidden).
	Role string `json:"role,omitempty"`
	// TokenRole is the role of the token that was refused.
	TokenRole string `json:"token_role,omitempty"`
}

// Code classifies an error response; the client maps it to a storage sentinel.
type Code string

// Error codes.
const (
	CodeUnauthorized Code = "unauthorized"  // 401: no token, or unknown, expired or revoked
	CodeForbidden    Code = "forbidden"     // 403: the token's role or repository does not allow it
	CodeNotFound     Code = "not-found"     // 404: no such object
	CodeNoRepository Code = "no-repository" // 404: no such repository
	CodeInvalid      Code = "invalid"       // 400 or 416: malformed request, bad name, bad range
	CodeTooLarge     Code = "too-large"     // 413: the body is above the server's request-size limit
	CodeQuota        Code = "quota"         // 507: the repository's quota would be exceeded
	CodeNoPassword   Code = "no-password"   // 501: the server has no password for server-side maintenance
	CodeUnavailable  Code = "unavailable"   // 503: the storage behind the server failed; retry later
	CodeInternal     Code = "internal"      // 500
)

// MaintenancePath is the path segment of server-side maintenance requests.
const MaintenancePath = "maintenance"

// Reserved are the top-level names the server keeps for its own pages and
// API; no repository can take them.
var Reserved = []string{"api", "healthz", "readyz", "metrics", "ui", "web", "static", "assets", "login", "logout", "savepoint-server"}

var nameRE = regexp.MustCompile(`^[a-z0-9]+([._-][a-z0-9]+)*$`)

// CheckRepoName accepts repository names that are valid as a directory, an
// S3 key segment and an OCI repository path component: lowercase letters,
// digits and single . _ - between them, at most 64 characters.
func CheckRepoName(name string) error {
	if len(name) > 64 || !nameRE.MatchString(name) {
		return fmt.Errorf("repository name %q: use lowercase letters, digits and . _ - between them (at most 64): %w", name, storage.ErrInvalid)
	}
	if slices.Contains(Reserved, name) {
		return fmt.Errorf("repository name %q is reserved for the server: %w", name, storage.ErrInvalid)
	}
	return nil
}
