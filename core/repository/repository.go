// Package repository is savepoint's storage engine above the Backend: the
// config and key slots, blobs compressed and sealed into packs, the index
// that maps blob IDs to packs, and the commit of a session's packs and
// index segment. Snapshots and trees are built on it by other packages.
package repository

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/savepoint-ci/savepoint/core/chunker"
	"github.com/savepoint-ci/savepoint/core/crypto"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// Errors of Init and Open; the command line adds how to fix them.
var (
	// ErrNeedPassword means the repository is encrypted and no password was given.
	ErrNeedPassword = errors.New("this repository is encrypted and no password was given")
	// ErrPasswordRequired means Init was asked for an encrypted repository
	// without a password.
	ErrPasswordRequired = errors.New("a password is required to create an encrypted repository")
	// ErrExists means Init found a repository at the location already.
	ErrExists = errors.New("a repository already exists")
)

// Repository is an open repository. Its methods are safe for concurrent use.
type Repository struct {
	be     storage.Backend
	cfg    *Config
	key    *crypto.MasterKey
	sealer *crypto.Sealer
	hasher *crypto.Hasher
	table  *chunker.Table
	codec  *codec

	idxOnce  onceOK
	idx      *Index
	segments []ID // names of the index segments read

	sess sessionState // this process's writer session marker (session.go)

	conns  int
	w      atomic.Pointer[writer] // set once by writer(); Known reads it from other goroutines
	wOnce  sync.Once
	meta   metaCache
	groups groupReads // groups LoadBlobAt read last (groupreads.go)
}

// InitOptions configure a new repository.
type InitOptions struct {
	Password string
	// NoEncryption makes an unencrypted repository; it must be asked for
	// explicitly (`init --no-encryption`).
	NoEncryption bool
	Chunker      chunker.Params // zero: chunker.Default
	PackSize     int            // zero: DefaultPackSize
	// Version is the format version to create (zero: FormatVersion). Version
	// 1 is for repositories that older savepoint releases must still read.
	Version int
	// KeyFrom, if set, is an open repository whose master key the new one
	// shares, wrapped in a slot of the new one's own Password: blobs then
	// have the same IDs in both, and a copy between them moves stored
	// units as they are (SaveUnit). The new repository also takes
	// KeyFrom's chunker parameters (Chunker must be zero or equal), its
	// encryption (NoEncryption must match) and, unless Version is given,
	// its format version.
	KeyFrom *Repository
}

// DefaultPackSize is the target size of a pack.
const DefaultPackSize = 16 << 20

// OpenOptions configure an opened repository.
type OpenOptions struct {
	Password    string
	Connections int // parallel pack uploads and downloads (0: 4)
}

// Init creates a repository in be, which must not hold one already.
func Init(ctx context.Context, be storage.Backend, o InitOptions) (*Repository, error) {
	if err := o.takeKeyFrom(); err != nil {
		return nil, err
	}
	if !o.NoEncryption && o.Password == "" {
		return nil, ErrPasswordRequired
	}
	if c, ok := be.(storage.Creator); ok {
		if err := c.Create(ctx); err != nil {
			return nil, fmt.Errorf("creating the repository at %s: %w", be.Location(), err)
		}
	}
	if _, err := be.Stat(ctx, configHandle); err == nil {
		return nil, fmt.Errorf("%w at %s", ErrExists, be.Location())
	} else if !errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("checking %s: %w", be.Location(), err)
	}
	params := o.Chunker
	if params == (chunker.Params{}) {
		params = chunker.Default
	}
	if err := params.Validate(); err != nil {
		return nil, err
	}
	packSize := o.PackSize
	if packSize == 0 {
		packSize = DefaultPackSize
	}
	if packSize < 1<<20 || packSize > 256<<20 {
		return nil, fmt.Errorf("pack size %d out of range (1 MiB to 256 MiB)", packSize)
	}
	var err error
	mk := new(crypto.MasterKey)
	if o.KeyFrom != nil {
		*mk = *o.KeyFrom.key
	} else if mk, err = crypto.NewMasterKey(); err != nil {
		return nil, err
	}
	slot, err := crypto.WrapKey(mk, o.Password, !o.NoEncryption)
	if err != nil {
		return nil, err
	}
	slotData, err := json.Marshal(slot)
	if err != nil {
		return nil, err
	}
	version := o.Version
	if version == 0 {
		version = FormatVersion
	}
	if version < MinFormatVersion || version > FormatVersion {
		return nil, fmt.Errorf("format version %d is not supported (versions %d to %d are)", version, MinFormatVersion, FormatVersion)
	}
	var rid [16]byte
	rand.Read(rid[:])
	cfg := &Config{
		Version: version, ID: hex.EncodeToString(rid[:]),
		Hash: "blake3-keyed", Compression: "zstd", Encryption: "aes-256-gcm",
		PackSize: packSize, Chunker: params,
	}
	if o.NoEncryption {
		cfg.Encryption = "none"
	}
	cfgData, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return nil, err
	}
	// The key slot first, then the config: a config is the mark of a usable repository.
	if err := be.Save(ctx, storage.Handle{Kind: storage.KindKey, Name: objectName(slotData)}, slotData); err != nil {
		return nil, fmt.Errorf("writing the key: %w", err)
	}
	if err := be.Save(ctx, configHandle, cfgData); err != nil {
		return nil, fmt.Errorf("writing the config: %w", err)
	}
	return newRepository(be, cfg, mk, 0)
}

// Open opens the repository in be.
func Open(ctx context.Context, be storage.Backend, o OpenOptions) (*Repository, error) {
	cfg, err := loadConfig(ctx, be)
	if err != nil {
		return nil, err
	}
	var slots []string
	err = be.List(ctx, storage.KindKey, func(fi storage.Info) error {
		slots = append(slots, fi.Name)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing keys: %w", err)
	}
	if len(slots) == 0 {
		return nil, errors.New("the repository has no key: it is damaged")
	}
	if cfg.Encryption != "none" && o.Password == "" {
		return nil, ErrNeedPassword
	}
	var lastErr error
	for _, name := range slots {
		data, err := storage.LoadAll(ctx, be, storage.Handle{Kind: storage.KindKey, Name: name})
		if err != nil {
			lastErr = fmt.Errorf("reading key %s: %w", name, err)
			continue
		}
		slot, err := crypto.ParseKeySlot(data)
		if err != nil {
			lastErr = fmt.Errorf("key %s is malformed: %v", name, err)
			continue
		}
		if (slot.KDF == "none") != (cfg.Encryption == "none") {
			lastErr = fmt.Errorf("key %s does not match the repository's encryption", name)
			continue
		}
		mk, err := slot.Unwrap(o.Password)
		if err != nil {
			lastErr = err
			continue
		}
		return newRepository(be, cfg, mk, o.Connections)
	}
	return nil, lastErr
}

func newRepository(be storage.Backend, cfg *Config, mk *crypto.MasterKey, conns int) (*Repository, error) {
	s, err := crypto.NewSealer(mk.Encrypt, cfg.Encryption != "none")
	if err != nil {
		return nil, err
	}
	if conns <= 0 {
		conns = 4
	}
	return &Repository{
		be: be, cfg: cfg, key: mk, sealer: s,
		hasher: crypto.NewHasher(mk.ID),
		table:  chunker.NewTable(mk.Chunker[:]),
		codec:  newCodec(),
		conns:  conns,
		meta:   metaCache{packs: map[ID][]byte{}},
	}, nil
}

// Backend returns the storage the repository lives in.
func (r *Repository) Backend() storage.Backend { return r.be }

// Config returns the repository's config.
func (r *Repository) Config() Config { return *r.cfg }

// Connections is the number of parallel transfers operations should use.
func (r *Repository) Connections() int { return r.conns }

// ChunkerTable is the repository's keyed gear table.
func (r *Repository) ChunkerTable() *chunker.Table { return r.table }

// Hash computes the ID of a blob's plaintext.
func (r *Repository) Hash(data []byte) ID { return r.hasher.Sum(data) }

// Requests reports the requests made to the backend so far (zero values if
// the backend does not count).
func (r *Repository) Requests() storage.Requests {
	if c, ok := r.be.(storage.RequestCounter); ok {
		return c.Requests()
	}
	return storage.Requests{}
}

// SealJSON marshals v and seals it: the stored form of snapshots and other
// small encrypted objects.
func (r *Repository) SealJSON(v any) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return r.sealer.Seal(nil, plain), nil
}

// OpenJSON opens sealed bytes and unmarshals them into v.
func (r *Repository) OpenJSON(sealed []byte, v any) error {
	plain, err := r.sealer.Open(nil, sealed)
	if err != nil {
		return fmt.Errorf("%v: %w", err, ErrCorrupted)
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return fmt.Errorf("malformed content: %v: %w", err, ErrCorrupted)
	}
	return nil
}

// SaveObject stores data as a content-addressed object of kind k and returns its name.
func (r *Repository) SaveObject(ctx context.Context, k storage.Kind, data []byte) (ID, error) {
	name := objectName(data)
	id, _ := ParseID(name)
	if err := r.be.Save(ctx, storage.Handle{Kind: k, Name: name}, data); err != nil {
		return id, err
	}
	return id, nil
}

// LoadObject reads a content-addressed object and checks its name.
func (r *Repository) LoadObject(ctx context.Context, k storage.Kind, name ID) ([]byte, error) {
	h := storage.Handle{Kind: k, Name: name.String()}
	data, err := storage.LoadAll(ctx, r.be, h)
	if err != nil {
		return nil, err
	}
	if objectName(data) != h.Name {
		return nil, fmt.Errorf("%s: content does not match its name: %w", h, ErrCorrupted)
	}
	return data, nil
}

// Close waits for nothing: callers Flush what they wrote first.
func (r *Repository) Close() error {
	if w := r.w.Load(); w != nil {
		w.close()
	}
	return r.be.Close()
}
