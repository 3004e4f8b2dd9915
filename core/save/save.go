// Package save captures directories and files into a snapshot. Reading and
// chunking run in file workers; hashing, compression, sealing and packing run
// in chunk workers on every core; directories are finalized as soon as their
// children are done. Files whose size, mtime, inode and ctime match the
// parent snapshot are not read again; everything else is deduplicated by
// chunk ID, which also covers fresh checkouts with new mtimes.
package save

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/savepoint-ci/savepoint/core/progress"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
)

// Options configure a save.
type Options struct {
	Paths []string // files or directories to capture; may be empty if Sources are given
	// Devices are block devices whose content is saved, each as one file
	// entry at its stored path (/dev/vdb as dev/vdb).
	Devices []string
	// ReadSpecial saves the content of block devices given in Paths or met
	// in their directories, as files; without it they are refused (Paths)
	// or skipped (in directories).
	ReadSpecial bool
	Excludes    []string // glob patterns (see Excluder)
	Name        string
	Tags        []string
	Hostname    string
	// Parent is the snapshot to compare against for unchanged files (nil: none).
	Parent     *snapshot.Snapshot
	Checkpoint bool
	Provenance map[string]string
	Program    string
	// Sources are non-file sources (command output, images) already captured
	// with SaveStream and friends; they are stored in the snapshot as given.
	Sources []snapshot.Source
	// Started, when set, is when capturing the Sources began, so the
	// snapshot's time and duration include that work.
	Started  time.Time
	Reporter progress.Reporter
	Now      func() time.Time
	// SessionLimit is the longest a save may run and still commit (0:
	// DefaultSessionLimit). Prune protects a running save for its grace
	// period only (default 24h), so this must stay below it (docs/prune.md).
	SessionLimit time.Duration
}

// DefaultSessionLimit is half of prune's default grace period.
const DefaultSessionLimit = 12 * time.Hour

// ErrTooLong means a save ran past its SessionLimit and was not committed.
var ErrTooLong = errors.New("the save took longer than its session limit and was not committed (prune may have removed data it relied on): run it again")

// ErrBlockDevice means a path to save names a block device that the save
// was not asked to read; ErrNotBlockDevice that a device to save is not one.
var (
	ErrBlockDevice    = errors.New("is a block device")
	ErrNotBlockDevice = errors.New("is not a block device")
)

// ErrPartial is returned (wrapped) with a committed snapshot when some files
// could not be read.
var ErrPartial = errors.New("snapshot is partial: some files could not be read")

// Run saves opts.Paths and commits a snapshot. When files were unreadable it
// returns the committed snapshot and an error wrapping ErrPartial.
func Run(ctx context.Context, repo *repository.Repository, opts Options) (*snapshot.Snapshot, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	start := opts.Now()
	if !opts.Started.IsZero() {
		start = opts.Started
	}
	// Announce the session before reading the index (docs/prune.md); the
	// marker goes when the snapshot is committed or the save abandoned.
	if err := repo.BeginSession(ctx, opts.Hostname, start); err != nil {
		return nil, err
	}
	defer repo.EndSession(context.WithoutCancel(ctx))
	limit := opts.SessionLimit
	if limit <= 0 {
		limit = DefaultSessionLimit
	}
	sessionCheck := func() error {
		if opts.Now().Sub(start) > limit {
			return ErrTooLong
		}
		return nil
	}
	repo.SetSessionCheck(sessionCheck)
	if err := repo.LoadIndex(ctx); err != nil {
		return nil, err
	}
	roots, err := resolveRoots(opts.Paths, opts.Devices, opts.ReadSpecial)
	if err != nil {
		return nil, err
	}
	excl, err := NewExcluder(opts.Excludes)
	if err != nil {
		return nil, err
	}
	s := newSaver(ctx, repo, opts, excl)
	rootID, err := s.run(roots)
	if err != nil {
		return nil, err
	}
	if _, err := repo.Flush(ctx); err != nil {
		return nil, err
	}
	ws := repo.WriteStats()
	snap := &snapshot.Snapshot{
		Time: start.UTC(), Hostname: opts.Hostname, Name: opts.Name, Tags: opts.Tags,
		Sources: opts.Sources, Checkpoint: opts.Checkpoint, Provenance: opts.Provenance,
		Program: opts.Program,
	}
	for _, r := range roots {
		snap.Paths = append(snap.Paths, r.stored)
	}
	if len(roots) > 0 {
		snap.Tree = &rootID
	}
	if opts.Parent != nil {
		p := opts.Parent.ID
		snap.Parent = &p
	}
	snap.Stats = snapshot.Stats{
		Files: s.files.Load(), Dirs: s.dirs.Load(), FilesUnchanged: s.unchanged.Load(),
		BytesScanned: s.scanned.Load(), BytesRead: s.read.Load(),
		BytesNew: ws.BytesRaw, BytesStored: ws.BytesStored, BlobsNew: ws.Blobs,
		Errors: s.errors.Load(),
	}
	for _, src := range opts.Sources {
		snap.Stats.BytesScanned += int64(src.Size)
		snap.Stats.BytesRead += int64(src.Size) // streams are always read
	}
	snap.Partial = snap.Stats.Errors > 0
	snap.Stats.DurationSec = opts.Now().Sub(start).Seconds()
	// Every request this repository handle made (opening it, finding the
	// parent, the save) plus the snapshot's own PUT: the whole command's cost.
	snap.Stats.Requests = repo.Requests()
	snap.Stats.Requests.Put++
	if err := sessionCheck(); err != nil {
		return nil, err
	}
	if _, err := snapshot.Save(ctx, repo, snap); err != nil {
		return nil, fmt.Errorf("committing the snapshot: %w", err)
	}
	s.rep.Done()
	if snap.Partial {
		return snap, fmt.Errorf("%d file(s) could not be read: %w", snap.Stats.Errors, ErrPartial)
	}
	return snap, nil
}

// root is one path source: where it is on disk and where it goes in the tree.
type root struct {
	disk   string // as given, cleaned
	stored string // slash-separated path inside the snapshot ("." for the root itself)
	info   os.FileInfo
	device bool // a block device whose content is saved
}

// resolveRoots checks the paths given on the command line and decides where
// each is stored: a relative path below the working directory keeps its
// relative form; anything else is stored as its absolute path without the
// leading slash, the way tar does. devices must be block devices; a block
// device among paths is saved with readSpecial only.
func resolveRoots(paths, devices []string, readSpecial bool) ([]root, error) {
	var roots []root
	for i, p := range append(slices.Clip(paths), devices...) {
		device := i >= len(paths)
		if p == "" {
			return nil, errors.New("an empty path was given")
		}
		clean := filepath.Clean(p)
		fi, err := os.Lstat(clean)
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %v", p, unwrapPathError(err))
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			// A symlink given by name is followed: the user meant what it points to.
			if fi, err = os.Stat(clean); err != nil {
				return nil, fmt.Errorf("cannot read %s: %v", p, unwrapPathError(err))
			}
		}
		stored := StoredPath(clean)
		block := isBlockDevice(fi)
		switch {
		case device && !block:
			return nil, fmt.Errorf("%s %w", p, ErrNotBlockDevice)
		case block && !device && !readSpecial:
			return nil, fmt.Errorf("%s %w", p, ErrBlockDevice)
		case stored != "." && !fi.IsDir() && !fi.Mode().IsRegular() && !block:
			return nil, fmt.Errorf("%s is not a regular file or directory", p)
		case stored == "." && !fi.IsDir():
			return nil, fmt.Errorf("%s is not a directory", p)
		}
		roots = append(roots, root{disk: clean, stored: stored, info: fi, device: block})
	}
	for i := range roots {
		for j := range roots {
			if i != j && overlaps(roots[i].stored, roots[j].stored) {
				return nil, fmt.Errorf("paths %s and %s overlap: give each directory once", roots[i].disk, roots[j].disk)
			}
		}
	}
	return roots, nil
}

// isBlockDevice reports whether fi is a block device (tests without loop
// devices replace it to read a regular file the way devices are read).
var isBlockDevice = func(fi os.FileInfo) bool {
	return fi.Mode()&os.ModeDevice != 0 && fi.Mode()&os.ModeCharDevice == 0
}

func overlaps(a, b string) bool {
	return a == b || a == "." || b == "." || strings.HasPrefix(b, a+"/") || strings.HasPrefix(a, b+"/")
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// saver holds one save's pipeline.
type saver struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	repo   *repository.Repository
	opts   Options
	excl   *Excluder
	// devices are the roots that are block devices: read as files.
	devices map[string]bool
	rep     progress.Reporter
	prog    progress.Counters

	files, dirs, unchanged, scanned, read, errors atomic.Int64

	fileJobs  chan *fileJob
	chunkJobs chan chunkJob
	budget    *budget
	fileWG    sync.WaitGroup
	chunkWG   sync.WaitGroup
}

func newSaver(ctx context.Context, repo *repository.Repository, opts Options, excl *Excluder) *saver {
	ctx, cancel := context.WithCancelCause(ctx)
	s := &saver{
		ctx: ctx, cancel: cancel, repo: repo, opts: opts, excl: excl,
		rep:       progress.Or(opts.Reporter),
		fileJobs:  make(chan *fileJob, 64),
		chunkJobs: make(chan chunkJob, 8),
		budget:    newBudget(int64(2*repo.Config().Chunker.Max) + 16<<20),
	}
	return s
}

func (s *saver) fail(err error) { s.cancel(err) }

// err returns the first fatal error, if any.
func (s *saver) err() error {
	if s.ctx.Err() == nil {
		return nil
	}
	return context.Cause(s.ctx)
}

func (s *saver) warn(path string, err error) {
	s.errors.Add(1)
	s.rep.Warn(fmt.Sprintf("%s: %v (skipped)", path, unwrapPathError(err)))
}

func (s *saver) startWorkers() {
	n := runtime.GOMAXPROCS(0)
	readers := 2
	if n > 2 {
		readers = n / 2
	}
	for i := 0; i < readers; i++ {
		s.fileWG.Add(1)
		go s.fileWorker()
	}
	for i := 0; i < n; i++ {
		s.chunkWG.Add(1)
		go s.chunkWorker()
	}
}

// stopWorkers ends the pipeline: file workers first, since they feed the
// chunk workers.
func (s *saver) stopWorkers() {
	close(s.fileJobs)
	s.fileWG.Wait()
	close(s.chunkJobs)
	s.chunkWG.Wait()
}

// StoredPath is where path p is stored inside a snapshot (see resolveRoots).
func StoredPath(p string) string {
	clean := filepath.Clean(p)
	stored := filepath.ToSlash(clean)
	if filepath.IsAbs(clean) || stored == ".." || strings.HasPrefix(stored, "../") {
		if abs, err := filepath.Abs(clean); err == nil {
			stored = strings.TrimPrefix(filepath.ToSlash(abs), "/")
		}
		if stored == "" {
			stored = "."
		}
	}
	return stored
}
