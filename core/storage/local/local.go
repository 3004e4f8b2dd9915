// Package local stores a repository in a directory: one file per object,
// written to a temporary file, fsynced and renamed into place so a reader
// never sees a partial object.
package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// Backend is a repository in a local directory.
type Backend struct {
	storage.Counter
	root string
}

// New returns a backend rooted at dir. The directory need not exist yet
// (Create makes it); every other operation reports storage.ErrNoContainer
// when it is missing.
func New(dir string) (*Backend, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("repository path %q: %w", dir, err)
	}
	return &Backend{root: abs}, nil
}

func (b *Backend) Location() string { return b.root }

// fanned reports whether kind k spreads its objects over 256 subdirectories.
func fanned(k storage.Kind) bool { return k == storage.KindData || k == storage.KindMeta }

func (b *Backend) path(h storage.Handle) string {
	if fanned(h.Kind) && len(h.Name) > 2 {
		return filepath.Join(b.root, string(h.Kind), h.Name[:2], h.Name)
	}
	return filepath.Join(b.root, string(h.Kind), h.Name)
}

// Create makes the repository directory and its kind subdirectories.
func (b *Backend) Create(ctx context.Context) error {
	for _, k := range storage.Kinds {
		if k == storage.KindConfig {
			continue
		}
		if err := os.MkdirAll(filepath.Join(b.root, string(k)), 0o700); err != nil {
			return b.translate(err, "create repository")
		}
	}
	// config lives in its own directory too, so the layout is uniform.
	return b.translate(os.MkdirAll(filepath.Join(b.root, string(storage.KindConfig)), 0o700), "create repository")
}

// translate maps os errors to storage sentinels.
func (b *Backend) translate(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrNotExist):
		if _, serr := os.Stat(b.root); serr != nil {
			return fmt.Errorf("%s: %s: %w", what, b.root, storage.ErrNoContainer)
		}
		return fmt.Errorf("%s: %w", what, storage.ErrNotFound)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%s: %v: %w", what, err, storage.ErrPermission)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// saveStep is how much Save writes between two checks of its context.
const saveStep = 1 << 20

func (b *Backend) Save(ctx context.Context, h storage.Handle, data []byte) error {
	if err := storage.CheckSave(ctx, h); err != nil {
		return err
	}
	b.Counter.AddPut()
	final := b.path(h)
	dir := filepath.Dir(final)
	if _, err := os.Stat(b.root); err != nil {
		return b.translate(err, "save "+h.String())
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return b.translate(err, "save "+h.String())
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return b.translate(err, "save "+h.String())
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	// In steps, so a cancelled save stops half-way (and leaves nothing).
	for rest := data; len(rest) > 0; {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("save %s: %w", h, err)
		}
		n := min(len(rest), saveStep)
		if _, err := f.Write(rest[:n]); err != nil {
			return b.translate(err, "save "+h.String())
		}
		rest = rest[n:]
	}
	if err := f.Sync(); err != nil {
		return b.translate(err, "save "+h.String())
	}
	if err := f.Close(); err != nil {
		return b.translate(err, "save "+h.String())
	}
	if err := os.Chmod(tmp, 0o400); err != nil {
		return b.translate(err, "save "+h.String())
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("save %s: %w", h, err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return b.translate(err, "save "+h.String())
	}
	ok = true
	syncDir(dir)
	return nil
}

// syncDir makes a rename durable; failure only weakens durability.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

type sectionReader struct {
	io.Reader
	f *os.File
}

func (s sectionReader) Close() error { return s.f.Close() }

func (b *Backend) Load(ctx context.Context, h storage.Handle, offset, length int64) (io.ReadCloser, error) {
	if err := storage.CheckHandle(h); err != nil {
		return nil, err
	}
	b.Counter.AddGet()
	f, err := os.Open(b.path(h))
	if err != nil {
		return nil, b.translate(err, "load "+h.String())
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, b.translate(err, "load "+h.String())
	}
	end := fi.Size()
	if length > 0 {
		end = offset + length
	}
	if offset < 0 || length < 0 || end > fi.Size() || offset > end {
		f.Close()
		return nil, fmt.Errorf("load %s: range %d+%d beyond size %d: %w", h, offset, length, fi.Size(), storage.ErrInvalid)
	}
	return sectionReader{io.NewSectionReader(f, offset, end-offset), f}, nil
}

func (b *Backend) Stat(ctx context.Context, h storage.Handle) (storage.Info, error) {
	if err := storage.CheckHandle(h); err != nil {
		return storage.Info{}, err
	}
	b.Counter.AddHead()
	fi, err := os.Stat(b.path(h))
	if err != nil {
		return storage.Info{}, b.translate(err, "stat "+h.String())
	}
	return storage.Info{Name: h.Name, Size: fi.Size(), ModTime: fi.ModTime()}, nil
}

func (b *Backend) List(ctx context.Context, k storage.Kind, fn func(storage.Info) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.Counter.AddList()
	dir := filepath.Join(b.root, string(k))
	if _, err := os.Stat(b.root); err != nil {
		return b.translate(err, "list "+string(k))
	}
	var visit func(dir string, depth int) error
	visit = func(dir string, depth int) error {
		entries, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return b.translate(err, "list "+string(k))
		}
		for _, e := range entries {
			if err := ctx.Err(); err != nil {
				return err
			}
			name := e.Name()
			if name[0] == '.' {
				continue // temporary files of writers in flight
			}
			if e.IsDir() {
				if fanned(k) && depth == 0 {
					if err := visit(filepath.Join(dir, name), 1); err != nil {
						return err
					}
				}
				continue
			}
			fi, err := e.Info()
			if errors.Is(err, fs.ErrNotExist) {
				continue // removed while listing
			}
			if err != nil {
				return b.translate(err, "list "+string(k))
			}
			if err := fn(storage.Info{Name: name, Size: fi.Size(), ModTime: fi.ModTime()}); err != nil {
				return err
			}
		}
		return nil
	}
	return visit(dir, 0)
}

func (b *Backend) Remove(ctx context.Context, h storage.Handle) error {
	if err := storage.CheckHandle(h); err != nil {
		return err
	}
	b.Counter.AddDelete()
	err := os.Remove(b.path(h))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return b.translate(err, "remove "+h.String())
}

func (b *Backend) Close() error { return nil }

var _ storage.Namespace = (*Backend)(nil)

// Names calls fn with the name of every directory below the root (the
// repositories of a server whose storage is this directory).
func (b *Backend) Names(ctx context.Context, fn func(name string) error) error {
	entries, err := os.ReadDir(b.root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return b.translate(err, "listing "+b.root)
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			if err := fn(e.Name()); err != nil {
				return err
			}
		}
	}
	return nil
}
