package snapcopy

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/savepoint-ci/savepoint/core/progress"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
)

// ErrWouldDecrypt means the source is encrypted and the destination is
// not: a copy would store the source's data in the clear.
var ErrWouldDecrypt = errors.New("the destination is not encrypted but the source is: a copy would store its data in the clear")

// ErrTooLong means a copy ran past its SessionLimit; what it committed
// stays, the snapshot it was copying was not committed.
var ErrTooLong = errors.New("the copy took longer than its session limit (prune may have removed data it relied on): run it again to finish")

// copier is one Run.
type copier struct {
	src, dst    *repository.Repository
	o           Options
	ids         *idMap
	raw         bool // src and dst share the master key: units move as stored (rawunit.go)
	commitEvery int64
	start       time.Time
	counters    progress.Counters
	blobsRead   atomic.Int64
	bytesRead   atomic.Int64
	// Stored units (single blobs, trees, groups) moved as stored, and
	// decoded to be stored anew.
	unitsRaw, unitsResealed atomic.Int64
	adopted                 bool // adoptOrphans ran (adopt.go)
	// Pairs of (source snapshot, its copy in the destination), by the
	// source's origin; hints for the copies to come.
	byOrigin map[repository.ID]*snapshot.Snapshot // destination snapshots
	srcByID  map[repository.ID]*snapshot.Snapshot
	pairs    []pair
}

type pair struct{ src, dst *snapshot.Snapshot }

// Run copies the snapshots o selects from src to dst, oldest first, and
// skips those dst holds already (the same original, or the same ID). It
// stops at the first error; snapshots copied before it stay copied, and
// the blobs committed since are found again by the next Run. Run announces
// a writer session in dst (and ends it); a caller that wants prune to keep
// the source's packs while it reads announces a session in src itself.
func Run(ctx context.Context, src, dst *repository.Repository, o Options) (Stats, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	c := &copier{src: src, dst: dst, o: o, ids: newIDMap(src, dst), raw: src.SharesKey(dst), commitEvery: o.CommitEvery,
		start: o.Now(), byOrigin: map[repository.ID]*snapshot.Snapshot{}}
	if c.commitEvery <= 0 {
		c.commitEvery = DefaultCommitEvery
	}
	if c.o.SessionLimit <= 0 {
		c.o.SessionLimit = 12 * time.Hour
	}
	srcBefore, dstBefore := src.Requests(), dst.Requests()
	// The destination's session marker (written by the first snapshot
	// copied) goes when the copy ends, whatever the outcome.
	defer dst.EndSession(context.WithoutCancel(ctx))
	var st Stats
	err := c.run(ctx, &st)
	ws := dst.WriteStats()
	st.BlobsRead, st.BytesRead = c.blobsRead.Load(), c.bytesRead.Load()
	st.SharedKey, st.UnitsRaw, st.UnitsResealed = c.raw, c.unitsRaw.Load(), c.unitsResealed.Load()
	st.BlobsNew, st.BytesNew, st.BytesStored, st.Packs = ws.Blobs, ws.BytesRaw, ws.BytesStored, ws.Packs
	st.SourceRequests = src.Requests().Sub(srcBefore)
	st.DestinationRequests = dst.Requests().Sub(dstBefore)
	st.DurationSec = o.Now().Sub(c.start).Seconds()
	return st, err
}

func (c *copier) run(ctx context.Context, st *Stats) error {
	if c.src.Config().Encryption != "none" && c.dst.Config().Encryption == "none" {
		return ErrWouldDecrypt
	}
	srcList, dstList := c.o.SourceList, c.o.DestinationList
	var err error
	if srcList == nil {
		if srcList, err = snapshot.List(ctx, c.src); err != nil {
			return fmt.Errorf("source: %w", err)
		}
	}
	sel, err := selectSnapshots(srcList, c.o)
	if err != nil {
		return err
	}
	st.Selected = len(sel)
	if dstList == nil {
		if dstList, err = snapshot.List(ctx, c.dst); err != nil {
			return fmt.Errorf("destination: %w", err)
		}
	}
	srcByOrigin := map[repository.ID]*snapshot.Snapshot{}
	c.srcByID = map[repository.ID]*snapshot.Snapshot{}
	for _, s := range srcList {
		srcByOrigin[s.Origin()] = s
		c.srcByID[s.ID] = s
	}
	for _, d := range dstList {
		c.byOrigin[d.ID] = d
		c.byOrigin[d.Origin()] = d
		if s := srcByOrigin[d.Origin()]; s != nil {
			c.addPair(s, d)
		}
	}
	rep := progress.Or(c.o.Progress)
	c.counters.TotalFiles.Store(int64(len(sel)))
	rep.Phase("copy", &c.counters)
	defer rep.Done()
	for _, s := range sel {
		ev, err := c.copyOne(ctx, st, s)
		if err != nil {
			return fmt.Errorf("snapshot %s: %w", s.ID.Short(), err)
		}
		if ev.Skipped {
			st.Skipped++
		} else {
			st.Copied++
		}
		st.Snapshots = append(st.Snapshots, ev)
		c.counters.Files.Add(1)
		if c.o.Report != nil {
			c.o.Report(ev)
		}
	}
	return nil
}

// addPair records that d is s's copy: its root tree translates s's, and it
// is a hint for later copies.
func (c *copier) addPair(s, d *snapshot.Snapshot) {
	if s.Tree != nil && d.Tree != nil {
		c.ids.put(*s.Tree, *d.Tree)
	}
	if (s.Tree == nil) == (d.Tree == nil) {
		c.pairs = append(c.pairs, pair{s, d})
	}
}

// hintFor picks the earlier copy a new copy of s is planned beside: the
// newest one of the same name, else the newest.
func (c *copier) hintFor(s *snapshot.Snapshot) *pair {
	var best *pair
	for i := range c.pairs {
		p := &c.pairs[i]
		same, bestSame := p.src.Name == s.Name, best != nil && best.src.Name == s.Name
		if best == nil || same && !bestSame || same == bestSame && p.src.Time.After(best.src.Time) {
			best = p
		}
	}
	return best
}

// hintSources translates the content of the earlier copy's sources: a
// source of the same name and as many chunks is the same stream, copied.
func (c *copier) hintSources(h *pair) {
	for i, d := range h.dst.Sources {
		if i < len(h.src.Sources) {
			s := h.src.Sources[i]
			if s.Name == d.Name && len(s.Content) == len(d.Content) {
				for k := range s.Content {
					c.ids.put(s.Content[k], d.Content[k])
				}
			}
		}
	}
}

// commit makes what the destination's writer holds durable and indexed.
func (c *copier) commit(ctx context.Context) error {
	if c.o.Now().Sub(c.start) > c.o.SessionLimit {
		return ErrTooLong
	}
	_, err := c.dst.Flush(ctx)
	return err
}
