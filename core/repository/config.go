package repository

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/savepoint-ci/savepoint/core/chunker"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// FormatVersion is the repository format new repositories get; this code
// reads and writes versions MinFormatVersion to FormatVersion, each in its
// own format. docs/FORMAT.md describes them.
const (
	FormatVersion    = 2
	MinFormatVersion = 1
)

// Config is the repository's config object, stored in the clear as JSON
// under config/config. It holds no secrets.
type Config struct {
	Version     int            `json:"version"`
	ID          string         `json:"id"`
	Hash        string         `json:"hash"`        // "blake3-keyed"
	Compression string         `json:"compression"` // "zstd"
	Encryption  string         `json:"encryption"`  // "aes-256-gcm" or "none"
	PackSize    int            `json:"pack_size"`   // target pack size in bytes
	Chunker     chunker.Params `json:"chunker"`
	// Features names additions to the format that readers must understand
	// (version 2 and later); a reader refuses a repository that lists one it
	// does not know. None are defined yet.
	Features []string `json:"features,omitempty"`
}

var configHandle = storage.Handle{Kind: storage.KindConfig, Name: "config"}

// ErrNoRepository means there is no repository at the location.
var ErrNoRepository = errors.New("no savepoint repository here")

func loadConfig(ctx context.Context, be storage.Backend) (*Config, error) {
	data, err := storage.LoadAll(ctx, be, configHandle)
	if errors.Is(err, storage.ErrNoContainer) {
		// Say what is missing (the directory, the bucket), not just "no repository".
		return nil, fmt.Errorf("%v: %w", err, ErrNoRepository)
	}
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("%s: %w", be.Location(), ErrNoRepository)
	}
	if err != nil {
		return nil, fmt.Errorf("reading repository config: %w", err)
	}
	return parseConfig(data)
}

// parseConfig decodes and checks a stored config.
func parseConfig(data []byte) (*Config, error) {
	var cfg Config
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("repository config is corrupted: %v", err)
	}
	if cfg.Version < MinFormatVersion || cfg.Version > FormatVersion {
		return nil, fmt.Errorf("repository format version %d is not supported (this savepoint reads versions %d to %d): use a matching savepoint release", cfg.Version, MinFormatVersion, FormatVersion)
	}
	if len(cfg.Features) > 0 {
		return nil, fmt.Errorf("repository uses format features this savepoint does not know (%v): use a newer savepoint release", cfg.Features)
	}
	if cfg.Hash != "blake3-keyed" || cfg.Compression != "zstd" || (cfg.Encryption != "aes-256-gcm" && cfg.Encryption != "none") {
		return nil, fmt.Errorf("repository config names unsupported algorithms (hash %q, compression %q, encryption %q)", cfg.Hash, cfg.Compression, cfg.Encryption)
	}
	if err := cfg.Chunker.Validate(); err != nil {
		return nil, fmt.Errorf("repository config: %v", err)
	}
	if cfg.PackSize < 1<<20 || cfg.PackSize > 256<<20 {
		return nil, fmt.Errorf("repository config: pack size %d out of range", cfg.PackSize)
	}
	return &cfg, nil
}
