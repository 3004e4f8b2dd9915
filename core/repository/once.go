package repository

import "sync"

// onceOK runs a function until it first succeeds. Unlike sync.Once it does
// not remember a failure: when the first caller's context was cancelled,
// the next caller, whose context is live, runs the function again instead
// of inheriting the cancellation. Callers wait for a run in progress.
type onceOK struct {
	mu   sync.Mutex
	done bool
}

func (o *onceOK) do(fn func() error) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.done {
		return nil
	}
	if err := fn(); err != nil {
		return err
	}
	o.done = true
	return nil
}
