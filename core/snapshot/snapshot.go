// Package snapshot defines snapshots, the only commit point of a
// repository: a sealed JSON object naming the root tree, the sources
// captured (paths, command output, images), provenance and statistics.
package snapshot

import (
	"context"
	"time"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// Snapshot is one committed save.
type Snapshot struct {
	ID         repository.ID     `json:"-"` // the object's name, set when loaded or saved
	Time       time.Time         `json:"time"`
	Hostname   string            `json:"hostname"`
	Name       string            `json:"name,omitempty"` // key such as "production" or "node-cache"
	Tags       []string          `json:"tags,omitempty"`
	Paths      []string          `json:"paths,omitempty"` // path sources, as stored in the tree
	Tree       *repository.ID    `json:"tree,omitempty"`  // root tree of the path sources
	Sources    []Source          `json:"sources,omitempty"`
	Parent     *repository.ID    `json:"parent,omitempty"`
	Checkpoint bool              `json:"checkpoint,omitempty"`
	Provenance map[string]string `json:"provenance,omitempty"`
	Partial    bool              `json:"partial,omitempty"` // some files could not be read
	Stats      Stats             `json:"stats"`
	Program    string            `json:"program,omitempty"`
	Repaired   *Repair           `json:"repaired,omitempty"` // set by `repair snapshots`
	// Original is the ID of the snapshot this one is a copy of (savepoint
	// copy), in the repository it came from; a copy of a copy keeps the
	// first original. Nil for a snapshot made by a save.
	Original *repository.ID `json:"original,omitempty"`
}

// Origin is the ID that names s across repositories: its Original when s
// is a copy, else its own ID.
func (s *Snapshot) Origin() repository.ID {
	if s.Original != nil {
		return *s.Original
	}
	return s.ID
}

// Repair records that `savepoint repair snapshots` wrote this snapshot in
// place of another whose data was partly missing: which one, when, and
// what was left out.
type Repair struct {
	Original repository.ID `json:"original"` // the snapshot this one replaced
	Time     time.Time     `json:"time"`
	// Dropped names what was left out: file and directory paths as stored
	// (a directory with a trailing "/"), "source:NAME" for a command or
	// stdin source. At most MaxRepairPaths; DroppedCount is the whole count.
	Dropped      []string `json:"dropped"`
	DroppedCount int      `json:"dropped_count"`
}

// MaxRepairPaths bounds the paths a Repair lists, so a snapshot whose
// whole tree went missing stays a small object.
const MaxRepairPaths = 1000

// Source is a non-file source captured in a snapshot: the output of a
// command, standard input, or a container image reference.
type Source struct {
	Kind           string          `json:"kind"` // "command", "stdin" or "image"
	Name           string          `json:"name"`
	Command        string          `json:"command,omitempty"`
	RestoreCommand string          `json:"restore_command,omitempty"`
	Content        []repository.ID `json:"content,omitempty"`
	Size           uint64          `json:"size,omitempty"`
	ExitStatus     int             `json:"exit_status,omitempty"`
	StderrTail     string          `json:"stderr_tail,omitempty"`
	Image          string          `json:"image,omitempty"`  // reference as given (registry/repo:tag)
	Digest         string          `json:"digest,omitempty"` // resolved manifest digest
	PinTag         string          `json:"pin_tag,omitempty"`
}

// Stats describes what a save did.
type Stats struct {
	Files          int64            `json:"files"`
	Dirs           int64            `json:"dirs"`
	FilesUnchanged int64            `json:"files_unchanged"` // taken from the parent without reading
	BytesScanned   int64            `json:"bytes_scanned"`
	BytesRead      int64            `json:"bytes_read"`   // bytes actually read (unchanged files are not)
	BytesNew       int64            `json:"bytes_new"`    // plaintext of new blobs
	BytesStored    int64            `json:"bytes_stored"` // stored bytes of new packs
	BlobsNew       int64            `json:"blobs_new"`
	Errors         int64            `json:"errors"` // unreadable files and skipped special files
	DurationSec    float64          `json:"duration_seconds"`
	Requests       storage.Requests `json:"requests"`
}

// DedupRatio is bytes scanned per new byte stored (1 when nothing was scanned).
func (s Stats) DedupRatio() float64 {
	if s.BytesStored == 0 {
		if s.BytesScanned == 0 {
			return 1
		}
		return float64(s.BytesScanned)
	}
	return float64(s.BytesScanned) / float64(s.BytesStored)
}

// Save stores s and returns its ID. This is the commit point: call it only
// after repository.Flush has made every blob s refers to durable.
func Save(ctx context.Context, repo *repository.Repository, s *Snapshot) (repository.ID, error) {
	data, err := repo.SealJSON(s)
	if err != nil {
		return repository.ID{}, err
	}
	id, err := repo.SaveObject(ctx, storage.KindSnapshot, data)
	if err != nil {
		return id, err
	}
	s.ID = id
	return id, nil
}

// Load reads one snapshot.
func Load(ctx context.Context, repo *repository.Repository, id repository.ID) (*Snapshot, error) {
	data, err := repo.LoadObject(ctx, storage.KindSnapshot, id)
	if err != nil {
		return nil, err
	}
	var s Snapshot
	if err := repo.OpenJSON(data, &s); err != nil {
		return nil, err
	}
	s.ID = id
	return &s, nil
}

// Remove deletes the snapshot id. Its data stays until a prune finds it
// unused.
func Remove(ctx context.Context, repo *repository.Repository, id repository.ID) error {
	return repo.Backend().Remove(ctx, storage.Handle{Kind: storage.KindSnapshot, Name: id.String()})
}
