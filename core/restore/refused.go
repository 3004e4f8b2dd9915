package restore

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/savepoint-ci/savepoint/core/tree"
)

// ErrRefused is wrapped by the error of a restore that refused entries.
var ErrRefused = errors.New("refused")

// Refusal is an entry restore left out, and why.
type Refusal struct {
	// Path is printable: control bytes, NUL and invalid UTF-8 escaped as
	// in Go strings, an empty name shown as <empty name>.
	Path   string
	Reason string
	// OutsideLink: a symlink refused because it leads (or may lead)
	// outside the target; Options.AllowOutsideLinks would restore it.
	OutsideLink bool
}

func (f Refusal) String() string { return f.Path + ": " + f.Reason }

// MarshalJSON writes a refusal as one string, "path: reason"
// (docs/json.md).
func (f Refusal) MarshalJSON() ([]byte, error) { return json.Marshal(f.String()) }

// RefusedError is the error of a restore that refused entries; everything
// else was restored. It wraps ErrRefused.
type RefusedError struct{ Refused []Refusal }

// refusalsNamed is how many entries RefusedError's message names.
const refusalsNamed = 3

func (e *RefusedError) Error() string {
	var b strings.Builder
	if len(e.Refused) == 1 {
		b.WriteString("1 entry refused: ")
	} else {
		fmt.Fprintf(&b, "%d entries refused: ", len(e.Refused))
	}
	for i, f := range e.Refused {
		if i == refusalsNamed {
			fmt.Fprintf(&b, "; and %d more", len(e.Refused)-i)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.String())
	}
	return b.String()
}

func (e *RefusedError) Unwrap() error { return ErrRefused }

// refuse records that the entry at rel (a path of valid names) is left
// out. Safe for concurrent use.
func (r *restorer) refuse(rel, why string) {
	r.record(Refusal{Path: tree.PrintablePath(rel), Reason: why})
}

// refuseShown is refuse with the path already made printable.
func (r *restorer) refuseShown(shown, why string) { r.record(Refusal{Path: shown, Reason: why}) }

func (r *restorer) record(f Refusal) {
	r.mu.Lock()
	r.refused = append(r.refused, f)
	r.mu.Unlock()
}

// shownEntry is the printable path of a walk's entry p whose stored name
// is name: the name is escaped as one component (a "/" in it shows as
// \x2f, not as a separator).
func shownEntry(p, name string) string {
	prefix := strings.TrimSuffix(strings.TrimSuffix(p, name), "/")
	if prefix == "" {
		return tree.PrintableName(name)
	}
	return tree.PrintablePath(prefix) + "/" + tree.PrintableName(name)
}
