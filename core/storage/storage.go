// Package storage defines the Backend interface that every repository location
// (local directory, memory, S3, OCI registry) implements, the sentinel errors
// backends translate their native errors into, and the names of stored objects.
//
// The contract is deliberately small so a backend is easy to write and to test:
// the conformance suite in package storagetest checks every rule stated here.
package storage

import (
	"context"
	"io"
	"time"
)

// Kind is the class of a stored object. It maps to a directory on disk, a key
// prefix on S3 and an object class on an OCI registry.
type Kind string

// Object kinds. Content-addressed kinds are named by the lowercase hex SHA-256
// of their stored bytes; the others name their objects freely.
const (
	KindConfig   Kind = "config"    // the repository config (one object, name "config")
	KindKey      Kind = "keys"      // password-wrapped master keys (content-addressed)
	KindData     Kind = "data"      // packs of file-content blobs (content-addressed)
	KindMeta     Kind = "meta"      // packs of tree blobs (content-addressed)
	KindIndex    Kind = "index"     // per-session index segments (content-addressed)
	KindSnapshot Kind = "snapshots" // snapshots: the commit points (content-addressed)
	KindSession  Kind = "sessions"  // in-flight writer session markers (free names)
	KindLease    Kind = "lease"     // the prune lease (free names)
)

// Kinds lists every kind, in the order a reader should consider them.
var Kinds = []Kind{KindConfig, KindKey, KindSnapshot, KindIndex, KindMeta, KindData, KindSession, KindLease}

// ContentAddressed reports whether objects of kind k are named by the SHA-256
// of their stored bytes.
func (k Kind) ContentAddressed() bool {
	switch k {
	case KindKey, KindData, KindMeta, KindIndex, KindSnapshot:
		return true
	}
	return false
}

// Handle names one stored object.
type Handle struct {
	Kind Kind
	Name string
}

func (h Handle) String() string { return string(h.Kind) + "/" + h.Name }

// Info describes one stored object.
type Info struct {
	Name    string
	Size    int64
	ModTime time.Time // when the object was stored, as the backend saw it
}

// Backend stores immutable objects. All methods are safe for concurrent use.
//
// Contract (checked by storagetest.Run):
//   - Save is atomic: a reader sees either the whole object or ErrNotFound,
//     never a part of it, even if the writer dies half-way. Saving a name
//     that already exists replaces it atomically; for content-addressed kinds
//     the bytes are equal, so callers may skip the write if it exists.
//   - Read-after-write: once Save returns nil, Load, Stat and List see the
//     object from any client.
//   - Load(h, off, n) returns bytes [off, off+n) of the object; n == 0 means
//     "to the end". Reading past the end is an error; a missing object is
//     ErrNotFound. The caller closes the reader.
//   - List calls fn once for each object of kind k, in no particular order;
//     an error returned by fn stops the listing and is returned.
//   - Remove deletes an object; removing a missing object is not an error.
//   - A call whose context ends returns an error wrapping the context's
//     error (errors.Is context.Canceled), never success: a cancelled List
//     stops; a cancelled Save leaves the object absent or whole, and the
//     calls after it all see that one outcome (nothing it sent lands
//     under them). A Save cancelled while it commits (a rename, a
//     manifest push) finishes the commit and may then return nil.
//   - Native errors are translated to the sentinels below at the backend's
//     edge and wrapped with %w, so callers use errors.Is.
type Backend interface {
	// Location is a printable description of where the repository lives,
	// never containing credentials.
	Location() string
	Save(ctx context.Context, h Handle, data []byte) error
	Load(ctx context.Context, h Handle, offset, length int64) (io.ReadCloser, error)
	Stat(ctx context.Context, h Handle) (Info, error)
	List(ctx context.Context, k Kind, fn func(Info) error) error
	Remove(ctx context.Context, h Handle) error
	Close() error
}

// Creator is implemented by backends whose container (directory, bucket,
// registry repository) can be created by `savepoint init`.
type Creator interface {
	Create(ctx context.Context) error
}

// Networked is implemented by backends whose every request crosses a
// network (S3, an OCI registry, a savepoint server): a writer then keeps
// one more upload in flight, since one request's round trip would leave
// its pipeline idle.
type Networked interface {
	Networked() bool
}

// Namespace is implemented by backends whose location can hold other
// locations below it (a directory, an S3 key prefix): `savepoint serve`
// lists its repositories, each one a location below its storage
// (location.Join), with it.
type Namespace interface {
	// Names calls fn with the name of every location directly below this
	// one, in no particular order; a missing container has none.
	Names(ctx context.Context, fn func(name string) error) error
}

// LoadAll reads a whole object into memory.
func LoadAll(ctx context.Context, b Backend, h Handle) ([]byte, error) {
	rd, err := b.Load(ctx, h, 0, 0)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(rd)
}
