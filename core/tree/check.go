package tree

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/savepoint-ci/savepoint/core/repository"
)

// Errors of Check and CheckSize: the entry cannot be restored as stored.
var (
	ErrInvalidName  = errors.New("invalid name")
	ErrInvalidEntry = errors.New("invalid entry")
	ErrSizeMismatch = errors.New("size does not match the content")
)

// MaxName is the longest name a tree may hold, in bytes: NAME_MAX on
// Linux and macOS.
const MaxName = 255

// MaxLinkTarget is the longest symlink target a tree may hold: Linux's
// PATH_MAX less its NUL, beyond which symlink(2) fails anyway.
const MaxLinkTarget = 4095

// Check reports what makes n unsafe to restore as it stands: a name that
// is empty, "." or "..", longer than MaxName, or holds "/" or NUL; an
// unknown type; a symbolic link whose target is empty, overlong or holds
// NUL; holes out of order, empty, or on anything but a file. Checks that
// need the repository's index are CheckSize's.
func Check(n *Node) error {
	if err := checkName(n.Name); err != nil {
		return err
	}
	if err := checkHoles(n); err != nil {
		return err
	}
	switch n.Type {
	case File, Dir:
	case Symlink:
		switch {
		case n.Target == "":
			return fmt.Errorf("%w: symlink with an empty target", ErrInvalidEntry)
		case len(n.Target) > MaxLinkTarget:
			return fmt.Errorf("%w: symlink target of %d bytes (at most %d)", ErrInvalidEntry, len(n.Target), MaxLinkTarget)
		case strings.IndexByte(n.Target, 0) >= 0:
			return fmt.Errorf("%w: symlink target holds a NUL byte", ErrInvalidEntry)
		}
	default:
		return fmt.Errorf("%w: unknown type %s", ErrInvalidEntry, PrintableName(n.Type))
	}
	return nil
}

func checkName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty", ErrInvalidName)
	case name == "." || name == "..":
		return fmt.Errorf("%w: %s", ErrInvalidName, name)
	case len(name) > MaxName:
		return fmt.Errorf("%w: longer than %d bytes", ErrInvalidName, MaxName)
	case strings.IndexByte(name, '/') >= 0:
		return fmt.Errorf("%w: holds a slash", ErrInvalidName)
	case strings.IndexByte(name, 0) >= 0:
		return fmt.Errorf("%w: holds a NUL byte", ErrInvalidName)
	}
	return nil
}

// ChunkLength reports a chunk's length in bytes, or false when the
// repository does not hold the chunk.
type ChunkLength func(repository.ID) (uint32, bool)

// CheckSize checks that a file's declared size is exactly what its content
// list holds: the sum of its chunks' lengths and its holes'. It is the one
// place where a content list is measured against the size. A mismatch
// wraps ErrSizeMismatch; a chunk that length does not know wraps
// repository.ErrBlobNotFound.
func CheckSize(n *Node, length ChunkLength) error {
	var sum uint64
	for _, id := range n.Content {
		l, ok := length(id)
		if !ok {
			return fmt.Errorf("chunk %s is missing from the repository: %w", id.Short(), repository.ErrBlobNotFound)
		}
		sum += uint64(l)
	}
	for _, h := range n.Holes {
		if h.Len > math.MaxInt64-sum {
			return fmt.Errorf("%w: declared %d bytes, the holes alone hold more than any file", ErrSizeMismatch, n.Size)
		}
		sum += h.Len
	}
	if sum != n.Size || n.Size > math.MaxInt64 {
		return fmt.Errorf("%w: declared %d bytes, the content holds %d", ErrSizeMismatch, n.Size, sum)
	}
	return nil
}
