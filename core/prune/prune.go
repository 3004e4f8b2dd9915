// Package prune removes data no snapshot uses, repacks mostly-unused packs
// and compacts the index, without ever stopping writers. Writers announce
// sessions; prune deletes a pack only in two steps: it first publishes a
// deletion intent naming it, and deletes it in a later step once every
// writer that might not have seen the intent has finished (docs/prune.md).
// One prune runs at a time, through a lease object.
package prune

import (
	"context"
	"fmt"
	"time"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// run is one prune's state.
type run struct {
	ctx      context.Context
	repo     *repository.Repository
	be       storage.Backend
	o        Options
	now      time.Time
	res      *Result
	x        *pindex
	m        *marker
	sessions []storage.Info // live session markers
	lease    *heldLease     // nil in a dry run
}

// Run prunes the repository.
func Run(ctx context.Context, repo *repository.Repository, o Options) (*Result, error) {
	o.defaults()
	r := &run{ctx: ctx, repo: repo, be: repo.Backend(), o: o, now: o.Now(), res: &Result{DryRun: o.DryRun}, x: newPindex()}
	before, wall := repo.Requests(), time.Now()
	if !o.DryRun {
		lease, err := acquireLease(ctx, repo, &r.o, r.now)
		if err != nil {
			return nil, err
		}
		defer lease.release()
		r.lease = lease
	}
	if err := r.do(); err != nil {
		return nil, err
	}
	r.res.DurationSec = time.Since(wall).Seconds()
	r.res.Requests = repo.Requests().Sub(before)
	return r.res, nil
}

func (r *run) act(h string, action string, bytes int64, reason string) {
	r.res.Actions = append(r.res.Actions, Action{Object: h, Action: action, Bytes: bytes, Reason: reason})
}

// listSessions returns live markers and removes (unless dry-run) stale ones.
func (r *run) listSessions() ([]storage.Info, error) {
	var live, stale []storage.Info
	cut := r.now.Add(-r.o.Grace)
	err := r.be.List(r.ctx, storage.KindSession, func(fi storage.Info) error {
		if fi.ModTime.Before(cut) {
			stale = append(stale, fi)
		} else {
			live = append(live, fi)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing writer sessions: %w", err)
	}
	for _, fi := range stale {
		h := storage.Handle{Kind: storage.KindSession, Name: fi.Name}
		r.act(h.String(), "delete", fi.Size, "session marker older than the grace period: its writer is gone")
		if !r.o.DryRun {
			if err := r.be.Remove(r.ctx, h); err != nil {
				return nil, err
			}
			r.res.SessionsRemoved++
		}
	}
	return live, nil
}

// blocked reports whether a live writer may have started before time t
// (and so may use blobs of an intent published at t).
func blocked(sessions []storage.Info, t time.Time, skew time.Duration) bool {
	for _, s := range sessions {
		if !s.ModTime.After(t.Add(skew)) {
			return true
		}
	}
	return false
}

func (r *run) do() error {
	ctx, x := r.ctx, r.x
	// Order matters (docs/prune.md): sessions, then intents, then
	// snapshots, then the index, then packs.
	sessions, err := r.listSessions()
	if err != nil {
		return err
	}
	r.sessions = sessions
	r.res.SessionsLive = len(sessions)
	intents, err := r.repo.ListIntents(ctx)
	if err != nil {
		return err
	}
	snaps, err := snapshot.List(ctx, r.repo)
	if err != nil {
		return err
	}
	r.res.Snapshots = len(snaps)
	if _, err := x.loadSegments(ctx, r.repo); err != nil {
		return err
	}
	unindexed, err := x.listPacks(ctx, r.be)
	if err != nil {
		return err
	}
	inIntent := map[repository.ID]bool{}
	blockedPack := map[repository.ID]bool{}
	for _, in := range intents {
		blk := blocked(sessions, in.ModTime, *r.o.ClockSkew)
		for _, p := range in.Packs {
			inIntent[p.ID] = true
			if blk {
				blockedPack[p.ID] = true
			}
			if i, ok := x.packPos[p.ID]; ok {
				x.packs[i].doomed = true
			}
		}
	}
	// Mark.
	r.m = &marker{repo: r.repo, x: x, live: map[repository.ID]struct{}{}, snaps: map[repository.ID]bool{}}
	for _, s := range snaps {
		if err := r.m.snapshot(ctx, s); err != nil {
			return err
		}
	}
	r.res.TreesRead = r.m.trees
	r.res.Blobs, r.res.LiveBlobs, r.res.Packs = len(x.blobs), len(r.m.live), len(x.packs)+len(unindexed)
	for id := range r.m.live {
		l, _ := x.chosen(id)
		p := &x.packs[l.pack]
		p.liveBlobs++
		p.liveBytes += l.stored()
	}

	// Carry out the intents no running writer can still depend on.
	del := map[int32]bool{}
	var executed []repository.Intent
	var gone []repository.PackRef // intent packs no longer indexed (an interrupted prune)
	for _, in := range intents {
		if blocked(sessions, in.ModTime, *r.o.ClockSkew) {
			r.res.IntentsDeferred++
			r.act(string(storage.KindLease)+"/"+in.Name, "keep", 0, fmt.Sprintf("deletion intent of %d pack(s) waits: a writer that started before it is still running", len(in.Packs)))
			continue
		}
		executed = append(executed, in)
		for _, pr := range in.Packs {
			h := storage.Handle{Kind: pr.Kind, Name: pr.ID.String()}
			i, ok := x.packPos[pr.ID]
			if !ok {
				gone = append(gone, pr)
				r.act(h.String(), "delete", 0, "named by a deletion intent, no longer indexed")
				continue
			}
			p := &x.packs[i]
			if p.liveBlobs > 0 || blockedPack[pr.ID] {
				r.res.PacksRescued++
				r.act(h.String(), "keep", p.size, "named by a deletion intent, but a snapshot committed since uses it")
				continue
			}
			del[i] = true
			r.act(h.String(), "delete", p.size, "named by a deletion intent that every running writer has seen")
		}
	}

	// Unindexed packs: left by crashed writers (or a writer still running).
	cut := r.now.Add(-r.o.Grace)
	var delUnindexed []packInfo
	for _, p := range unindexed {
		h := storage.Handle{Kind: p.kind, Name: p.id.String()}
		switch {
		case inIntent[p.id]:
			continue
		case !p.modTime.Before(cut):
			r.act(h.String(), "keep", p.size, "not indexed yet, younger than the grace period (a writer may be running)")
		case blocked(sessions, p.modTime, 0):
			r.act(h.String(), "keep", p.size, "not indexed; a writer that started before it was written is still running")
		default:
			delUnindexed = append(delUnindexed, p)
			r.act(h.String(), "delete", p.size, "not indexed and older than the grace period (left by an interrupted save)")
		}
	}

	// Classify the other packs: schedule unused ones, repack mostly-unused ones.
	var schedule, repack []int32
	for i := range x.packs {
		p := &x.packs[i]
		h := storage.Handle{Kind: p.kind, Name: p.id.String()}
		if p.doomed || !p.exists || del[int32(i)] {
			continue
		}
		young := !p.modTime.Before(cut)
		unused := float64(p.size-p.liveBytes) / float64(max(p.size, 1))
		switch {
		case p.liveBlobs == 0 && young:
			r.act(h.String(), "keep", p.size, "unused, but younger than the grace period")
		case p.liveBlobs == 0:
			schedule = append(schedule, int32(i))
			r.act(h.String(), "schedule", p.size, "no snapshot uses it")
		case unused > *r.o.MaxUnused && p.liveBytes < p.bytes && !young:
			repack = append(repack, int32(i))
			r.act(h.String(), "repack", p.size, fmt.Sprintf("%.0f%% unused (above %.0f%%)", unused*100, *r.o.MaxUnused*100))
		}
	}
	if r.o.DryRun {
		for i := range del {
			r.res.PacksDeleted++
			r.res.BytesDeleted += x.packs[i].size
		}
		r.res.PacksScheduled, r.res.PacksRepacked = len(schedule)+len(repack), len(repack)
		r.res.UnindexedDeleted = len(delUnindexed)
		return nil
	}
	if err := r.lease.refresh(r.o.Now()); err != nil { // the mark may have been long
		return err
	}
	newLocs, err := r.repack(repack)
	if err != nil {
		return err
	}
	if err := r.lease.refresh(r.o.Now()); err != nil {
		return err
	}
	r.res.PacksRepacked = len(repack)

	// Index the copies, and drop the packs of the intents carried out,
	// before publishing the new intent: whoever reads the intent finds
	// the copies already indexed (a reader then prefers them).
	if err := r.compact(del, newLocs); err != nil {
		return err
	}
	// Publish the new deletion intent, and carry it out at once when no
	// session (save or restore) is running that started before it.
	if len(schedule)+len(repack) > 0 {
		in := repository.Intent{Created: r.now.UTC(), Holder: r.o.Host}
		for _, i := range append(append([]int32{}, schedule...), repack...) {
			in.Packs = append(in.Packs, repository.PackRef{ID: x.packs[i].id, Kind: x.packs[i].kind})
		}
		saved, err := r.repo.SaveIntent(ctx, in)
		if err != nil {
			return err
		}
		r.res.PacksScheduled = len(in.Packs)
		if ok, err := r.immediate(saved, del); err != nil {
			return err
		} else if ok {
			r.res.Immediate = true
			executed = append(executed, saved)
			for _, p := range saved.Packs {
				del[x.packPos[p.ID]] = true
			}
			if err := r.compact(del, nil); err != nil {
				return err
			}
		}
	}
	// Delete packs: they are out of the index now.
	for i := range del {
		p := &x.packs[i]
		if !p.exists {
			continue
		}
		if err := r.be.Remove(ctx, storage.Handle{Kind: p.kind, Name: p.id.String()}); err != nil {
			return fmt.Errorf("deleting pack %s: %w", p.id.Short(), err)
		}
		r.res.PacksDeleted++
		r.res.BytesDeleted += p.size
	}
	for _, p := range delUnindexed {
		if err := r.be.Remove(ctx, storage.Handle{Kind: p.kind, Name: p.id.String()}); err != nil {
			return fmt.Errorf("deleting pack %s: %w", p.id.Short(), err)
		}
		r.res.UnindexedDeleted++
		r.res.PacksDeleted++
		r.res.BytesDeleted += p.size
	}
	for _, p := range gone {
		if err := r.be.Remove(ctx, storage.Handle{Kind: p.Kind, Name: p.ID.String()}); err != nil {
			return fmt.Errorf("deleting pack %s: %w", p.ID.Short(), err)
		}
	}
	for _, in := range executed {
		if err := r.be.Remove(ctx, storage.Handle{Kind: storage.KindLease, Name: in.Name}); err != nil {
			return fmt.Errorf("removing deletion intent %s: %w", in.Name, err)
		}
		r.res.IntentsExecuted++
	}
	return nil
}
