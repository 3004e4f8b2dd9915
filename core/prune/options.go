package prune

import (
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// Defaults for Options.
const (
	DefaultGrace     = 24 * time.Hour
	DefaultMaxUnused = 0.10
	DefaultClockSkew = time.Minute
	DefaultLeaseTTL  = 6 * time.Hour
)

// Options configure a prune. They travel as JSON to a server that runs
// prune itself (durations in nanoseconds).
type Options struct {
	// Grace: unreferenced packs younger than this are never deleted, and
	// session markers older than this belong to dead writers (0: 24h).
	Grace time.Duration `json:"grace,omitempty"`
	// MaxUnused: a pack whose unused share of bytes exceeds this is
	// repacked (nil: DefaultMaxUnused; 0: any pack with unused bytes).
	MaxUnused *float64 `json:"max_unused,omitempty"`
	// ClockSkew is added to an intent's time when deciding whether a
	// writer started before it (nil: DefaultClockSkew; 0: none).
	ClockSkew *time.Duration `json:"clock_skew,omitempty"`
	// LeaseTTL is how long the lease is valid (0: 6h).
	LeaseTTL   time.Duration    `json:"lease_ttl,omitempty"`
	BreakLease bool             `json:"break_lease,omitempty"` // take the lease even if another prune's lease is there
	DryRun     bool             `json:"dry_run,omitempty"`     // decide and report, change nothing
	Host       string           `json:"host,omitempty"`
	Now        func() time.Time `json:"-"` // the clock for every time rule (nil: time.Now)
}

func (o *Options) defaults() {
	if o.Grace <= 0 {
		o.Grace = DefaultGrace
	}
	if o.MaxUnused == nil {
		o.MaxUnused = new(float64(DefaultMaxUnused))
	}
	if o.ClockSkew == nil {
		o.ClockSkew = new(time.Duration(DefaultClockSkew))
	}
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = DefaultLeaseTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Action is one decision about a stored object, with its reason.
type Action struct {
	Object string `json:"object"` // kind/name
	Action string `json:"action"` // delete, repack, schedule, keep
	Bytes  int64  `json:"bytes"`
	Reason string `json:"reason"`
}

// Result says what a prune did (or, with DryRun, would do).
type Result struct {
	Snapshots        int              `json:"snapshots"`
	TreesRead        int              `json:"trees_read"`
	Blobs            int              `json:"blobs"`
	LiveBlobs        int              `json:"live_blobs"`
	Packs            int              `json:"packs"`
	PacksDeleted     int              `json:"packs_deleted"`
	BytesDeleted     int64            `json:"bytes_deleted"`
	PacksRepacked    int              `json:"packs_repacked"`
	BlobsCopied      int              `json:"blobs_copied"`
	BytesCopied      int64            `json:"bytes_copied"`
	PacksScheduled   int              `json:"packs_scheduled"` // named in the new deletion intent
	PacksRescued     int              `json:"packs_rescued"`   // intent packs a late snapshot still uses
	IntentsExecuted  int              `json:"intents_executed"`
	IntentsDeferred  int              `json:"intents_deferred"` // blocked by running writers
	SegmentsRemoved  int              `json:"segments_removed"`
	SegmentsWritten  int              `json:"segments_written"`
	SessionsLive     int              `json:"sessions_live"`
	SessionsRemoved  int              `json:"sessions_removed"` // stale markers of dead writers
	Immediate        bool             `json:"immediate"`        // the new intent was carried out in this run
	Actions          []Action         `json:"actions,omitempty"`
	DurationSec      float64          `json:"duration_seconds"`
	Requests         storage.Requests `json:"requests"`
	DryRun           bool             `json:"dry_run,omitempty"`
	UnindexedDeleted int              `json:"unindexed_deleted"`
}
