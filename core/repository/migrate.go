package repository

import (
	"context"
	"encoding/json"
	"fmt"
)

// Migrate raises the repository's format version to FormatVersion by
// rewriting its config; nothing else is touched. Objects written in the
// older format stay as they are and are read as before; from then on every
// writer writes the new format, and savepoint releases that only know the
// older version refuse to open the repository. It returns the version
// before; equal to FormatVersion means there was nothing to do. With
// dryRun nothing is written.
func (r *Repository) Migrate(ctx context.Context, dryRun bool) (int, error) {
	from := r.cfg.Version
	if from >= FormatVersion || dryRun {
		return from, nil
	}
	cfg := *r.cfg
	cfg.Version = FormatVersion
	data, err := json.MarshalIndent(&cfg, "", "  ")
	if err != nil {
		return from, err
	}
	// The config is the one object written in place; every backend replaces
	// it atomically, so a reader sees the old or the new one.
	if err := r.be.Save(ctx, configHandle, data); err != nil {
		return from, fmt.Errorf("writing the new config: %w", err)
	}
	back, err := loadConfig(ctx, r.be)
	if err != nil {
		return from, fmt.Errorf("reading the new config back: %w", err)
	}
	if back.Version != FormatVersion || back.ID != cfg.ID {
		return from, fmt.Errorf("the config read back has version %d (id %s): the storage did not take the new config", back.Version, back.ID)
	}
	r.cfg = back
	return from, nil
}
