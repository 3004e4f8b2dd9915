package storage

import (
	"context"
	"fmt"
	"strings"
)

// CheckHandle rejects handles no backend should store: unknown kinds and names
// that are empty, contain a path separator or start with a dot. Backends call
// it before touching their store.
func CheckHandle(h Handle) error {
	known := false
	for _, k := range Kinds {
		if k == h.Kind {
			known = true
		}
	}
	if !known {
		return fmt.Errorf("unknown object kind %q: %w", h.Kind, ErrInvalid)
	}
	if h.Name == "" || strings.ContainsAny(h.Name, "/\\\x00") || strings.HasPrefix(h.Name, ".") {
		return fmt.Errorf("invalid object name %q: %w", h.Name, ErrInvalid)
	}
	return nil
}

// CheckSave is the argument check of a backend that stores in-process
// (local, mem): the handle is valid and the context is still live, so a
// cancelled Save stores nothing.
func CheckSave(ctx context.Context, h Handle) error {
	if err := CheckHandle(h); err != nil {
		return err
	}
	return ctx.Err()
}
