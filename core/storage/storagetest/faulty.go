package storagetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// ErrInjected is the error a Faulty backend returns for an injected failure
// when its Fault names no other.
var ErrInjected = errors.New("injected fault")

// Op is a set of Backend methods a Fault applies to.
type Op uint8

// The methods of a Backend, and Writes, the two that change it.
const (
	OpSave Op = 1 << iota
	OpLoad
	OpStat
	OpList
	OpRemove
	OpWrites = OpSave | OpRemove
)

// Fault is what a Faulty backend does to some of the calls of the methods
// in Op (on objects of Kind, when set). It hits the Nth matching call
// (counting from 1; 0 counts as 1) and the Times-1 after it; Times 0 means
// every call from the Nth on, as after a crash.
type Fault struct {
	Op    Op
	Kind  storage.Kind
	Nth   int
	Times int
	// Before runs before the call goes on, e.g. to start a concurrent
	// operation at a precise point.
	Before func()
	// Delay holds the call that long (or until its context ends).
	Delay time.Duration
	// Cut makes a Save die half-way: the wrapped backend's Save runs with
	// a context cancelled after Delay (at once when 0), and the caller gets
	// Err whatever became of it. A backend keeps its contract when the
	// object is then either absent or whole.
	Cut bool
	// Lost runs the call, then reports Err: a write that took effect but
	// whose answer never arrived.
	Lost bool
	// Err is the error of a hit call (nil: ErrInjected), unless the fault
	// only delays (Delay or Before set, and neither Cut nor Lost).
	Err error

	seen int // matching calls so far
}

// fails reports whether a hit call returns an error.
func (f *Fault) fails() bool {
	return f.Cut || f.Lost || f.Err != nil || (f.Delay == 0 && f.Before == nil)
}

func (f *Fault) err() error {
	if f.Err != nil {
		return f.Err
	}
	return ErrInjected
}

// Faulty wraps a Backend and injects faults into its calls, as kopia's
// blobtesting faulty storage does: fail the Nth call of a method, cut a
// Save half-way, lose the answer of a write, delay a call. Crash tests use
// it to stop an operation after each of its writes in turn.
type Faulty struct {
	storage.Backend
	mu       sync.Mutex
	faults   []*Fault
	calls    map[Op]int
	injected int
}

// NewFaulty wraps b with the given faults.
func NewFaulty(b storage.Backend, faults ...Fault) *Faulty {
	f := &Faulty{Backend: b, calls: map[Op]int{}}
	for _, fl := range faults {
		f.Add(fl)
	}
	return f
}

// Add installs one more fault.
func (f *Faulty) Add(fl Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fl.Nth < 1 {
		fl.Nth = 1
	}
	f.faults = append(f.faults, &fl)
}

// Calls counts the calls made so far of the methods in op.
func (f *Faulty) Calls(op Op) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for o, c := range f.calls {
		if o&op != 0 {
			n += c
		}
	}
	return n
}

// Injected counts the calls that failed because of a fault.
func (f *Faulty) Injected() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.injected
}

// hit counts a call and returns the first fault that hits it, or nil.
func (f *Faulty) hit(op Op, k storage.Kind) *Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[op]++
	var first *Fault
	for _, fl := range f.faults {
		if fl.Op&op == 0 || (fl.Kind != "" && fl.Kind != k) {
			continue
		}
		fl.seen++
		if first == nil && fl.seen >= fl.Nth && (fl.Times == 0 || fl.seen < fl.Nth+fl.Times) {
			first = fl
		}
	}
	if first != nil && first.fails() {
		f.injected++
	}
	return first
}

// enter applies the fault's Before and Delay; it returns the error that
// ends the call early, if any.
func enter(ctx context.Context, fl *Fault) error {
	if fl.Before != nil {
		fl.Before()
	}
	if fl.Delay > 0 && !fl.Cut {
		select {
		case <-time.After(fl.Delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if fl.fails() && !fl.Lost && !fl.Cut {
		return fl.err()
	}
	return nil
}

// call runs one method under the fault that hits it.
func (f *Faulty) call(ctx context.Context, op Op, k storage.Kind, run func(context.Context) error) error {
	fl := f.hit(op, k)
	if fl == nil {
		return run(ctx)
	}
	if err := enter(ctx, fl); err != nil {
		return err
	}
	switch {
	case fl.Cut && op == OpSave:
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		if fl.Delay == 0 {
			cancel()
		} else {
			stop := time.AfterFunc(fl.Delay, cancel)
			defer stop.Stop()
		}
		if err := run(cctx); err != nil {
			return fmt.Errorf("%w (the cut write said: %v)", fl.err(), err)
		}
		return fl.err()
	case fl.Lost || fl.Cut:
		if err := run(ctx); err != nil {
			return err
		}
		return fl.err()
	}
	return run(ctx)
}

// Save implements storage.Backend.
func (f *Faulty) Save(ctx context.Context, h storage.Handle, data []byte) error {
	return f.call(ctx, OpSave, h.Kind, func(ctx context.Context) error { return f.Backend.Save(ctx, h, data) })
}

// Load implements storage.Backend.
func (f *Faulty) Load(ctx context.Context, h storage.Handle, off, n int64) (io.ReadCloser, error) {
	var rd io.ReadCloser
	err := f.call(ctx, OpLoad, h.Kind, func(ctx context.Context) error {
		var err error
		rd, err = f.Backend.Load(ctx, h, off, n)
		return err
	})
	if err != nil && rd != nil {
		rd.Close()
		rd = nil
	}
	return rd, err
}

// Stat implements storage.Backend.
func (f *Faulty) Stat(ctx context.Context, h storage.Handle) (storage.Info, error) {
	var fi storage.Info
	err := f.call(ctx, OpStat, h.Kind, func(ctx context.Context) error {
		var err error
		fi, err = f.Backend.Stat(ctx, h)
		return err
	})
	return fi, err
}

// List implements storage.Backend.
func (f *Faulty) List(ctx context.Context, k storage.Kind, fn func(storage.Info) error) error {
	return f.call(ctx, OpList, k, func(ctx context.Context) error { return f.Backend.List(ctx, k, fn) })
}

// Remove implements storage.Backend.
func (f *Faulty) Remove(ctx context.Context, h storage.Handle) error {
	return f.call(ctx, OpRemove, h.Kind, func(ctx context.Context) error { return f.Backend.Remove(ctx, h) })
}
