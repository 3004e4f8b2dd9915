package capture

import (
	"fmt"
	"strings"

	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/tree"
)

// Spec is a NAME=VALUE pair given on the command line (--command,
// --restore-command, --image).
type Spec struct {
	Name  string
	Value string
}

// ParseSpec splits "NAME=VALUE". NAME must be a valid file name (it names
// the source in listings and in `savepoint dump`); VALUE must not be empty.
// Its errors quote s; the caller says where s came from.
func ParseSpec(s string) (Spec, error) {
	name, value, ok := strings.Cut(s, "=")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !ok || name == "" || value == "" {
		return Spec{}, fmt.Errorf("%q: expected NAME=VALUE, such as db=pg_dump -Fp app", s)
	}
	if err := ValidName(name); err != nil {
		return Spec{}, fmt.Errorf("%q: %v", s, err)
	}
	return Spec{Name: name, Value: value}, nil
}

// ValidName checks a source name.
func ValidName(name string) error {
	if !tree.ValidName(name) || strings.ContainsAny(name, " \t=:") {
		return fmt.Errorf("source name %q: use letters, digits, '.', '-' or '_'", name)
	}
	return nil
}

// FindSource returns the source of snap called name.
func FindSource(snap *snapshot.Snapshot, name string) (*snapshot.Source, error) {
	var names []string
	for i := range snap.Sources {
		if snap.Sources[i].Name == name {
			return &snap.Sources[i], nil
		}
		names = append(names, snap.Sources[i].Name)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("snapshot %s has no command, stdin or image sources", snap.ID.Short())
	}
	return nil, fmt.Errorf("snapshot %s has no source %q (it has: %s)", snap.ID.Short(), name, strings.Join(names, ", "))
}

// IsStream reports whether src holds a stored stream (command or stdin).
func IsStream(src *snapshot.Source) bool {
	return src.Kind == KindCommand || src.Kind == KindStdin
}

// Source kinds (snapshot.Source.Kind).
const (
	KindCommand = "command"
	KindStdin   = "stdin"
	KindImage   = "image"
)
