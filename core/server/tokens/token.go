// Package tokens issues and checks the server's bearer tokens. A token is
// "spt_" + ID + "_" + SECRET; the server stores only the SHA-256 of the
// secret, with the token's repository, role and expiry, as a record in its
// storage (package records), so any server process fronting the storage
// accepts it. The secret is shown once, when the token is created.
package tokens

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// AllRepos as a token's repository covers every repository of the server.
const AllRepos = "*"

// ErrRefused means a presented token is malformed, unknown, revoked or
// expired (HTTP 401).
var ErrRefused = errors.New("token refused")

// ErrUnknown means no token has the ID given (token revoke).
var ErrUnknown = errors.New("no such token")

// Token is the stored record of a token: everything but its secret.
type Token struct {
	ID      string    `json:"id"`
	Repo    string    `json:"repo"` // a repository name, or AllRepos
	Role    Role      `json:"role"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires,omitzero"` // zero: never
	Revoked time.Time `json:"revoked,omitzero"` // zero: not revoked
	Hash    string    `json:"hash"`             // hex SHA-256 of the secret
}

// Covers reports whether the token is for repository name.
func (t Token) Covers(name string) bool { return t.Repo == AllRepos || t.Repo == name }

// State is "active", "expired" or "revoked" at time now.
func (t Token) State(now time.Time) string {
	switch {
	case !t.Revoked.IsZero():
		return "revoked"
	case !t.Expires.IsZero() && !now.Before(t.Expires):
		return "expired"
	}
	return "active"
}

const prefix = "spt_"

var idRE = regexp.MustCompile(`^[0-9a-f]{16}$`)

// generate returns a new ID, secret and the token string.
func generate() (id, secret, token string) {
	var idb [8]byte
	var sec [32]byte
	rand.Read(idb[:])
	rand.Read(sec[:])
	id = hex.EncodeToString(idb[:])
	secret = base64.RawURLEncoding.EncodeToString(sec[:])
	return id, secret, prefix + id + "_" + secret
}

// Parse splits a token string (spt_ID_SECRET) into its ID and secret,
// refusing what does not have that form.
func Parse(token string) (id, secret string, err error) {
	rest, ok := strings.CutPrefix(token, prefix)
	if ok {
		id, secret, ok = strings.Cut(rest, "_")
	}
	if !ok || !idRE.MatchString(id) || len(secret) != 43 {
		return "", "", fmt.Errorf("%w: not a savepoint token (spt_...)", ErrRefused)
	}
	return id, secret, nil
}

// ValidID reports whether id has the form of a token ID.
func ValidID(id string) bool { return idRE.MatchString(id) }

func hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// matches compares a secret with the stored hash in constant time.
func (t Token) matches(secret string) bool {
	return subtle.ConstantTimeCompare([]byte(hash(secret)), []byte(t.Hash)) == 1
}

// Wellformed reports whether s has the form of a token (spt_ID_SECRET),
// without checking it against any store.
func Wellformed(s string) bool {
	_, _, err := Parse(s)
	return err == nil
}
