package tokens

import "fmt"

// Role is what a token may do in its repository.
type Role string

// Roles, each including the one before it.
const (
	// RoleRead restores, lists, diffs and verifies: it reads objects only.
	RoleRead Role = "read"
	// RoleAppend also saves and checkpoints: it adds objects, never removes
	// or replaces one (except its own session markers, docs/FORMAT.md).
	RoleAppend Role = "append"
	// RoleAdmin may do everything, forget and prune included.
	RoleAdmin Role = "admin"
)

// Roles lists the roles from least to most powerful.
var Roles = []Role{RoleRead, RoleAppend, RoleAdmin}

// ParseRole accepts read, append or admin.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q: use read, append or admin", s)
}

func (r Role) rank() int {
	for i, x := range Roles {
		if x == r {
			return i
		}
	}
	return -1
}

// Allows reports whether a token of role r may do what needs role need.
func (r Role) Allows(need Role) bool { return r.rank() >= 0 && r.rank() >= need.rank() }
