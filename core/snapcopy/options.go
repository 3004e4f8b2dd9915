package snapcopy

import (
	"time"

	"github.com/savepoint-ci/savepoint/core/progress"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// Options select the snapshots to copy and tune the copy. Exactly one
// selection is used: Snapshots, else Name (with Latest), else All.
type Options struct {
	// Snapshots are references into the source: ID prefixes of at least 4
	// hex characters, "latest" or "NAME:latest".
	Snapshots []string
	// Name selects the source's snapshots of that name; with Latest > 0,
	// only its Latest newest ones.
	Name   string
	Latest int
	// All selects every snapshot of the source.
	All bool

	// SourceList and DestinationList, when not nil, are the snapshots of
	// the source and of the destination as the caller listed them just
	// before Run (a server's sync job selects from them): Run takes them
	// instead of listing each repository again.
	SourceList, DestinationList []*snapshot.Snapshot

	// Hostname goes into the destination's session marker.
	Hostname string
	// CommitEvery is how many stored bytes the copy writes between two
	// commits of the destination's index (0: DefaultCommitEvery): what a
	// killed copy sends again at most, per connection.
	CommitEvery int64
	// SessionLimit stops a copy that runs longer than prune protects its
	// writes (0: 12 hours, half of prune's default grace period).
	SessionLimit time.Duration

	// Report, if set, is called once per selected snapshot, in the order
	// they are copied (oldest first), after it is copied or skipped.
	Report func(Event)
	// Progress receives the "copy" phase: Bytes counts plaintext bytes
	// read from the source, Files snapshots done.
	Progress progress.Reporter
	Now      func() time.Time
}

// DefaultCommitEvery is Options.CommitEvery's default.
const DefaultCommitEvery = 64 << 20

// Event is what became of one selected snapshot.
type Event struct {
	Source  repository.ID `json:"source"`
	Copy    repository.ID `json:"copy"` // the new snapshot, or the one already there when skipped
	Name    string        `json:"name,omitempty"`
	Time    time.Time     `json:"time"`
	Skipped bool          `json:"skipped"` // the destination held it already
	// What this snapshot's copy added to the destination (zero when skipped).
	BlobsNew    int64 `json:"blobs_new"`
	BytesStored int64 `json:"bytes_stored"`
}

// Stats is what a copy did.
type Stats struct {
	Selected int `json:"selected"`
	Copied   int `json:"copied"`
	Skipped  int `json:"skipped"`
	// Blobs and bytes read from the source (data and tree blobs decoded).
	BlobsRead int64 `json:"blobs_read"`
	BytesRead int64 `json:"bytes_read"` // stored bytes fetched from the source's packs
	// SharedKey: source and destination share one master key (init
	// --copy-key-from). The stored units read from the source (single
	// blobs, trees, compression groups) were either stored as they are
	// (UnitsRaw) or decoded and stored anew (UnitsResealed: a group the
	// copy needs only part of, or any unit when the keys differ).
	SharedKey     bool  `json:"shared_key"`
	UnitsRaw      int64 `json:"units_raw"`
	UnitsResealed int64 `json:"units_resealed"`
	// What the destination gained: new blobs, their plaintext, the stored
	// bytes of the packs written.
	BlobsNew    int64 `json:"blobs_new"`
	BytesNew    int64 `json:"bytes_new"`
	BytesStored int64 `json:"bytes_stored"`
	Packs       int64 `json:"packs"`
	// Packs a killed copy left in the destination without indexing them,
	// which this copy indexed instead of sending their blobs again
	// (adopt.go): how many, their blobs newly indexed, their stored bytes.
	PacksAdopted int64 `json:"packs_adopted"`
	BlobsAdopted int64 `json:"blobs_adopted"`
	BytesAdopted int64 `json:"bytes_adopted"`
	// Requests made to each repository's backend by the copy.
	SourceRequests      storage.Requests `json:"source_requests"`
	DestinationRequests storage.Requests `json:"destination_requests"`
	DurationSec         float64          `json:"duration_seconds"`
	Snapshots           []Event          `json:"snapshots"`
}
