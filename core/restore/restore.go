// Package restore writes a snapshot's files into a target directory. It
// reads packs, not files: the blobs needed are grouped by pack and each
// pack region is fetched with one ranged read, decoded, checked against its
// ID and written to every file that uses it.
//
// Every tree is treated as hostile (a repository is attacker-controlled the
// day a token leaks). Restore cannot write outside its target by
// construction: every path is resolved by the kernel beneath a descriptor
// of the target, through no symbolic link (target.go); on Windows through
// an os.Root of the target, every directory on the way checked not to be
// a link or junction (target_windows.go), and names Windows cannot hold or
// would confuse are refused (names.go). Entries that cannot
// be restored safely are refused, named, and nothing is left for them:
// invalid names, sizes their content does not back, links that lead
// outside the target once the tree's other links are followed (unless
// allowed). Links are created after everything else. Special mode bits and
// owners are restored only when asked.
package restore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/savepoint-ci/savepoint/core/progress"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/tree"
)

// Options configure a restore.
type Options struct {
	Target   string
	Includes []string // glob patterns; empty restores everything
	// AllowOutsideLinks restores symlinks whose target is absolute or
	// leads out of the target directory (a virtualenv's python link, say).
	AllowOutsideLinks bool
	// SameOwner restores owners and groups (tar's --same-owner); by
	// default files belong to whoever runs the restore.
	SameOwner bool
	// KeepSpecialBits restores setuid, setgid and sticky bits; by default
	// they are dropped.
	KeepSpecialBits bool
	// Sparse says which files get holes (default: those the snapshot
	// records as sparse).
	Sparse SparseMode
	// Device, when set, is a block device or a file that the snapshot's
	// one file (after Includes) is written to, instead of a Target
	// directory: a disk image back onto a disk.
	Device   string
	Reporter progress.Reporter
}

// mode is the mode restore gives n: its permission bits, plus its setuid,
// setgid and sticky bits only with KeepSpecialBits.
func (r *restorer) mode(n *tree.Node) uint32 {
	if r.opts.KeepSpecialBits {
		return n.Mode & 0o7777
	}
	return n.Mode & 0o777
}

// Result describes a restore.
type Result struct {
	Files       int64            `json:"files"`
	Dirs        int64            `json:"dirs"`
	Symlinks    int64            `json:"symlinks"`
	Bytes       int64            `json:"bytes"`
	HoleBytes   int64            `json:"hole_bytes,omitempty"` // of the files' sizes, left as holes (not written)
	Refused     []Refusal        `json:"refused,omitempty"`
	DurationSec float64          `json:"duration_seconds"`
	Requests    storage.Requests `json:"requests"`
}

// ErrNoTarget: the Options name neither a target directory nor a device.
var ErrNoTarget = errors.New("no target directory given")

// Run restores snap into opts.Target. If entries were refused, everything
// else is restored and the error is a *RefusedError.
func Run(ctx context.Context, repo *repository.Repository, snap *snapshot.Snapshot, opts Options) (Result, error) {
	start := time.Now()
	var res Result
	if opts.Target == "" && opts.Device == "" {
		return res, ErrNoTarget
	}
	if snap.Tree == nil {
		return res, fmt.Errorf("snapshot %s holds no files", snap.ID.Short())
	}
	if err := repo.LoadIndex(ctx); err != nil {
		return res, err
	}
	incl, err := newIncluder(opts.Includes)
	if err != nil {
		return res, err
	}
	r := &restorer{repo: repo, opts: opts, rep: progress.Or(opts.Reporter)}
	items, err := r.plan(ctx, repo, *snap.Tree, incl, r.chunkLength)
	if err != nil {
		return res, err
	}
	if opts.Device != "" {
		err = r.toDevice(ctx, items)
	} else {
		err = r.toTarget(ctx, items)
	}
	if err != nil {
		return res, err
	}
	res = Result{
		Files: r.files.Load(), Dirs: r.dirs.Load(), Symlinks: r.links.Load(), Bytes: r.bytes.Load(), HoleBytes: r.holeBytes.Load(),
		Refused: r.refused, DurationSec: time.Since(start).Seconds(), Requests: repo.Requests(), // the whole handle's requests: opening, finding the snapshot, reading
	}
	r.rep.Done()
	if len(r.refused) > 0 {
		return res, &RefusedError{Refused: r.refused}
	}
	return res, nil
}

// toTarget restores the planned entries beneath the target directory.
func (r *restorer) toTarget(ctx context.Context, items []item) error {
	if err := os.MkdirAll(r.opts.Target, 0o755); err != nil {
		return fmt.Errorf("creating the target: %v", err)
	}
	var err error
	if r.t, err = openTarget(r.opts.Target); err != nil {
		return fmt.Errorf("opening the target: %v", err)
	}
	defer r.t.close()
	return r.execute(ctx, items)
}

type restorer struct {
	repo *repository.Repository
	t    *target
	opts Options
	rep  progress.Reporter
	prog progress.Counters

	mu      sync.Mutex
	refused []Refusal
	// ownerWarned: owners that cannot be set are reported once.
	ownerWarned atomic.Bool

	files, dirs, links, bytes, holeBytes atomic.Int64
}

// chunkLength is tree.ChunkLength from the repository's index.
func (r *restorer) chunkLength(id repository.ID) (uint32, bool) {
	loc, ok := r.repo.Index().Lookup(id)
	return loc.RawLength, ok
}
