// Package verify checks a repository: by default its structure (every
// snapshot's trees load and every chunk is indexed in a pack that exists),
// and with ReadData some or all packs are read and every blob decoded and
// checked against its ID. Every problem is reported with the snapshot and
// object it concerns; failed snapshots are recorded so that save never
// uses them as a parent.
package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/tree"
)

// Options configure a verify.
type Options struct {
	// ReadData reads every pack and decodes every blob.
	ReadData bool
	// ReadDataSubset, in (0, 1], reads that share of the packs, chosen at
	// random (ignored when ReadData is set).
	ReadDataSubset float64
	// NoRecord leaves failure markers alone (by default verify records the
	// snapshots that failed and clears markers of snapshots that passed).
	NoRecord bool
	Now      func() time.Time
}

// Problem is one thing found wrong.
type Problem struct {
	Snapshot string `json:"snapshot,omitempty"` // ID of the snapshot concerned, if any
	Object   string `json:"object"`             // what is wrong: kind/name, or tree/blob ID
	Message  string `json:"message"`
}

func (p Problem) String() string {
	s := p.Object + ": " + p.Message
	if p.Snapshot != "" {
		s = "snapshot " + p.Snapshot[:8] + ": " + s
	}
	return s
}

// Result is what a verify found.
type Result struct {
	Snapshots   int              `json:"snapshots"`
	Trees       int              `json:"trees"`
	Blobs       int              `json:"blobs"` // indexed
	Packs       int              `json:"packs"` // indexed
	PacksRead   int              `json:"packs_read"`
	BlobsRead   int              `json:"blobs_read"`
	BytesRead   int64            `json:"bytes_read"`
	Unindexed   int              `json:"unindexed_packs"` // garbage prune will remove; not a problem
	Problems    []Problem        `json:"problems"`
	Failed      []string         `json:"failed_snapshots"`
	DurationSec float64          `json:"duration_seconds"`
	Requests    storage.Requests `json:"requests"`
}

// OK reports whether nothing was found wrong.
func (r *Result) OK() bool { return len(r.Problems) == 0 }

type checker struct {
	ctx      context.Context
	repo     *repository.Repository
	idx      *repository.Index
	res      *Result
	stored   map[repository.ID]storage.Info // packs present
	badBlobs map[repository.ID]string       // blob -> what is wrong (from reading data)
	trees    map[repository.ID]string       // tree -> "" ok, or the first problem below it
	snap     string
	failed   bool
}

func (c *checker) problem(obj, msg string) {
	c.res.Problems = append(c.res.Problems, Problem{Snapshot: c.snap, Object: obj, Message: msg})
	c.failed = true
}

// Run verifies the repository. It returns an error only when it cannot
// run at all; what it finds is in the Result.
func Run(ctx context.Context, repo *repository.Repository, o Options) (*Result, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	start := o.Now()
	before := repo.Requests()
	c, ids, failures, segs, err := check(ctx, repo, o)
	if err != nil {
		return nil, err
	}
	if !c.res.OK() {
		// A prune may have compacted the index and deleted packs while
		// we read: if the segments changed, look once more.
		if changed, err := segmentsChanged(ctx, repo, segs); err == nil && changed {
			if c, ids, failures, _, err = check(ctx, repo, o); err != nil {
				return nil, err
			}
		}
	}
	res := c.res
	if !o.NoRecord {
		if err := c.record(ids, failures, o.ReadData, start); err != nil {
			return nil, err
		}
	}
	res.DurationSec = o.Now().Sub(start).Seconds()
	res.Requests = repo.Requests().Sub(before)
	return res, nil
}

func segmentsChanged(ctx context.Context, repo *repository.Repository, used []repository.ID) (bool, error) {
	had := map[string]bool{}
	for _, s := range used {
		had[s.String()] = true
	}
	err := repo.Backend().List(ctx, storage.KindIndex, func(fi storage.Info) error {
		delete(had, fi.Name)
		return nil
	})
	// A segment we used is gone: a prune superseded and removed it.
	return len(had) > 0, err
}

// check runs every check once, on a fresh read of the index.
func check(ctx context.Context, repo *repository.Repository, o Options) (*checker, []repository.ID, map[repository.ID]string, []repository.ID, error) {
	res := &Result{Problems: []Problem{}, Failed: []string{}}
	c := &checker{ctx: ctx, repo: repo, res: res, stored: map[repository.ID]storage.Info{},
		badBlobs: map[repository.ID]string{}, trees: map[repository.ID]string{}}
	be := repo.Backend()
	// Snapshots first, then the index: a snapshot's segment is written
	// before the snapshot, so everything listed here is indexed below.
	var ids []repository.ID
	err := be.List(ctx, storage.KindSnapshot, func(fi storage.Info) error {
		if id, err := repository.ParseID(fi.Name); err == nil {
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("listing snapshots: %w", err)
	}
	idx, segs, err := repo.FreshIndex(ctx)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	c.idx = idx
	for _, k := range []storage.Kind{storage.KindData, storage.KindMeta} {
		err := be.List(ctx, k, func(fi storage.Info) error {
			if id, err := repository.ParseID(fi.Name); err == nil {
				c.stored[id] = fi
			}
			return nil
		})
		if err != nil {
			return nil, nil, nil, nil, fmt.Errorf("listing %s packs: %w", k, err)
		}
	}
	// Index: every indexed pack exists.
	perPack := map[repository.ID][]repository.ID{}
	kinds := map[repository.ID]storage.Kind{}
	c.idx.Each(func(id repository.ID, l repository.Location) {
		perPack[l.Pack] = append(perPack[l.Pack], id)
		kinds[l.Pack] = l.Kind
	})
	res.Blobs, res.Packs = c.idx.Len(), len(perPack)
	var packs []repository.ID
	for p := range perPack {
		packs = append(packs, p)
		if _, ok := c.stored[p]; !ok {
			c.problem(string(kinds[p])+"/"+p.String(), fmt.Sprintf("indexed pack is missing (%d blobs)", len(perPack[p])))
		}
	}
	for p := range c.stored {
		if _, ok := perPack[p]; !ok {
			res.Unindexed++
		}
	}
	sort.Slice(packs, func(i, j int) bool { return packs[i].String() < packs[j].String() })
	if o.ReadData || o.ReadDataSubset > 0 {
		sel := packs
		if !o.ReadData {
			sel = subset(packs, o.ReadDataSubset)
		}
		for _, p := range sel {
			if _, ok := c.stored[p]; ok {
				c.readPack(kinds[p], p, perPack[p])
			}
		}
	}
	// Snapshots.
	failures := map[repository.ID]string{}
	for _, id := range ids {
		c.snap, c.failed = id.String(), false
		n := len(res.Problems)
		c.snapshot(id)
		res.Snapshots++
		if c.failed {
			res.Failed = append(res.Failed, id.String())
			failures[id] = res.Problems[n].String()
		}
	}
	c.snap = ""
	return c, ids, failures, segs, nil
}

func subset(packs []repository.ID, frac float64) []repository.ID {
	if frac >= 1 {
		return packs
	}
	n := int(float64(len(packs))*frac + 0.999999)
	out := append([]repository.ID{}, packs...)
	rand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out[:min(n, len(out))]
}

// readPack reads a whole pack (checking its name) and decodes every blob
// the index places in it.
func (c *checker) readPack(kind storage.Kind, p repository.ID, blobs []repository.ID) {
	obj := string(kind) + "/" + p.String()
	data, err := c.repo.LoadObject(c.ctx, kind, p)
	c.res.PacksRead++
	if err != nil {
		c.problem(obj, err.Error())
		for _, b := range blobs {
			c.badBlobs[b] = "in unreadable pack " + p.Short()
		}
		return
	}
	c.res.BytesRead += int64(len(data))
	var buf []byte
	var cache repository.GroupCache // blobs of one group decode it once
	locs := make(map[repository.ID]repository.Location, len(blobs))
	for _, b := range blobs {
		locs[b], _ = c.idx.Lookup(b)
	}
	sort.Slice(blobs, func(i, j int) bool {
		a, b := locs[blobs[i]], locs[blobs[j]]
		return a.Offset < b.Offset || (a.Offset == b.Offset && a.GroupOffset < b.GroupOffset)
	})
	for _, b := range blobs {
		l := locs[b]
		end := int64(l.Offset) + int64(l.Length)
		c.res.BlobsRead++
		if end > int64(len(data)) {
			c.problem(obj, fmt.Sprintf("blob %s lies beyond the pack's end", b.Short()))
			c.badBlobs[b] = "beyond the end of pack " + p.Short()
			continue
		}
		out, err := c.repo.DecodeBlobCached(&cache, b, l, data[l.Offset:end], buf[:0])
		if err != nil {
			c.problem(obj, err.Error())
			c.badBlobs[b] = "damaged in pack " + p.Short()
			continue
		}
		if !l.Grouped() {
			buf = out
		}
	}
}

func (c *checker) snapshot(id repository.ID) {
	s, err := snapshot.Load(c.ctx, c.repo, id)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			c.failed = false // forgotten while we listed
			return
		}
		c.problem("snapshots/"+id.String(), "cannot be read: "+err.Error())
		return
	}
	for _, src := range s.Sources {
		for _, b := range src.Content {
			c.chunk("source "+src.Name, b)
		}
	}
	if s.Tree != nil {
		c.tree(*s.Tree, "/")
	}
}

// chunk checks one data blob a snapshot uses.
func (c *checker) chunk(where string, b repository.ID) {
	l, ok := c.idx.Lookup(b)
	switch {
	case !ok:
		c.problem("blob "+b.String(), where+": chunk is not indexed")
	case c.stored[l.Pack].Name == "":
		c.problem("blob "+b.String(), where+": chunk is in missing pack "+l.Pack.Short())
	case c.badBlobs[b] != "":
		c.problem("blob "+b.String(), where+": chunk "+c.badBlobs[b])
	}
}

// tree checks a tree and everything below it. A tree already checked is
// not read again; if it had problems, the snapshot is told where.
func (c *checker) tree(id repository.ID, path string) {
	if msg, ok := c.trees[id]; ok {
		if msg != "" {
			c.problem("tree "+id.String(), path+": damaged below ("+msg+", reported above)")
		}
		return
	}
	n := len(c.res.Problems)
	c.res.Trees++
	c.treeOnce(id, path)
	msg := ""
	if len(c.res.Problems) > n {
		msg = c.res.Problems[n].Message
	}
	c.trees[id] = msg
}

func (c *checker) treeOnce(id repository.ID, path string) {
	obj := "tree " + id.String()
	l, ok := c.idx.Lookup(id)
	if !ok {
		c.problem(obj, path+": tree is not indexed")
		return
	}
	if c.stored[l.Pack].Name == "" {
		c.problem(obj, path+": tree is in missing pack "+l.Pack.Short())
		return
	}
	if msg := c.badBlobs[id]; msg != "" {
		c.problem(obj, path+": tree "+msg)
		return
	}
	data, err := c.repo.LoadBlobAt(c.ctx, id, l)
	if err != nil {
		c.problem(obj, path+": "+err.Error())
		return
	}
	var t tree.Tree
	if err := json.Unmarshal(data, &t); err != nil {
		c.problem(obj, path+": malformed tree: "+err.Error())
		return
	}
	for i := range t.Nodes {
		nd := &t.Nodes[i]
		p := path + nd.Name
		if !tree.ValidName(nd.Name) {
			c.problem(obj, fmt.Sprintf("%s: invalid name %q", path, nd.Name))
			continue
		}
		for _, b := range nd.Content {
			c.chunk(p, b)
		}
		if nd.Type == tree.Dir && nd.Subtree != nil {
			c.tree(*nd.Subtree, p+"/")
		}
	}
}

// record writes a failure marker for each failed snapshot and clears the
// markers of snapshots that passed (a marker set by a data check is only
// cleared by a full data check), and of snapshots that no longer exist.
func (c *checker) record(ids []repository.ID, failures map[repository.ID]string, fullData bool, now time.Time) error {
	be := c.repo.Backend()
	marked, err := FailedSnapshots(c.ctx, be)
	if err != nil {
		return err
	}
	present := map[repository.ID]bool{}
	for _, id := range ids {
		present[id] = true
	}
	for id, first := range failures {
		n := 0
		for _, p := range c.res.Problems {
			if p.Snapshot == id.String() {
				n++
			}
		}
		data, err := c.repo.SealJSON(Failure{Time: now.UTC(), Problems: n, First: first, Data: len(c.badBlobs) > 0})
		if err != nil {
			return err
		}
		if err := be.Save(c.ctx, failedHandle(id), data); err != nil {
			return fmt.Errorf("recording the failure of snapshot %s: %w", id.Short(), err)
		}
	}
	for id := range marked {
		if _, bad := failures[id]; bad {
			continue
		}
		if present[id] {
			f, err := readFailure(c.ctx, c.repo, id)
			if err != nil {
				return err
			}
			if f != nil && f.Data && !fullData {
				continue
			}
		}
		if err := be.Remove(c.ctx, failedHandle(id)); err != nil {
			return err
		}
	}
	return nil
}
