// Package progress is how core operations report progress and warnings
// without printing: they bump atomic counters and call a Reporter, which the
// entrypoint implements (a live bar on a TTY, periodic lines in CI logs,
// nothing with --quiet). Nop is the default.
package progress

import "sync/atomic"

// Counters are updated by an operation while it runs; reporters read them
// whenever they like.
type Counters struct {
	Files      atomic.Int64 // files done
	Bytes      atomic.Int64 // bytes done
	TotalFiles atomic.Int64 // 0 while unknown
	TotalBytes atomic.Int64 // 0 while unknown
}

// Reporter receives an operation's phases and warnings.
type Reporter interface {
	// Phase announces a new phase ("save", "restore", ...) whose progress is
	// in c until the next Phase or Done.
	Phase(name string, c *Counters)
	// Warn reports a problem that does not stop the operation.
	Warn(msg string)
	// Done ends the operation's reporting.
	Done()
}

// Nop ignores everything.
type Nop struct{}

func (Nop) Phase(string, *Counters) {}
func (Nop) Warn(string)             {}
func (Nop) Done()                   {}

// Or returns r, or Nop if r is nil.
func Or(r Reporter) Reporter {
	if r == nil {
		return Nop{}
	}
	return r
}

// TotalsWanted reports whether r uses Counters.TotalFiles and TotalBytes
// (for an ETA). Counting them costs an extra walk of the tree, so
// operations skip it when r says it has no use for them: Nop, or a
// reporter with a WantsTotals method returning false (--quiet).
func TotalsWanted(r Reporter) bool {
	switch r := r.(type) {
	case nil, Nop:
		return false
	case interface{ WantsTotals() bool }:
		return r.WantsTotals()
	}
	return true
}
