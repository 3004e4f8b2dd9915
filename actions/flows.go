package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/savepoint-ci/savepoint/core/cli"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/tree"
)

// State keys shared by the main and the post step (GITHUB_STATE, read back
// as STATE_<key>).
const (
	statePost     = "post"     // "save" or "rollback"
	stateSnapshot = "snapshot" // the snapshot to roll back to
)

// main is the main step.
func (r *runner) main(ctx context.Context) int {
	c := r.cfg
	switch {
	case c.command == "save" && c.saveOn == "post":
		return r.restoreForPost(ctx)
	case c.command == "save" || c.command == "checkpoint":
		snap, code := r.save(ctx)
		switch {
		case snap == nil || c.onFailure != "rollback":
		case code != cli.ExitOK:
			// A partial snapshot misses files: not a state to return to.
			r.a.Warningf("the %s is partial: the post step will not roll back to it", c.command)
		default:
			r.saveState(statePost, "rollback")
			r.saveState(stateSnapshot, snap.ID)
			r.a.Infof("if the job fails, the post step rolls back to %s %s", c.command, snap.ShortID)
		}
		return code
	case c.command == "restore":
		return r.restore(ctx, c.snapshotRef(), "restore")
	case c.command == "snapshots":
		return r.snapshots(ctx)
	}
	return r.generic(ctx, commandArgs(c))
}

// post is the post step: save at the end of the job (save_on: post), or
// roll back when the job failed (on_failure: rollback).
func (r *runner) post(ctx context.Context) int {
	status := r.cfg.jobStatus
	switch r.a.Getenv("STATE_" + statePost) {
	case "save":
		if status != "" && status != "success" {
			r.a.Infof("job status is %s: not saving (save_on: post saves only after a successful job)", status)
			return cli.ExitOK
		}
		_, code := r.save(ctx)
		return code
	case "rollback":
		if status != "failure" {
			r.a.Infof("job status is %q: no rollback needed", status)
			return cli.ExitOK
		}
		return r.rollback(ctx, r.a.Getenv("STATE_"+stateSnapshot))
	}
	r.a.Infof("nothing to do in the post step")
	return cli.ExitOK
}

// save runs save or checkpoint, creating the repository on first use.
func (r *runner) save(ctx context.Context) (*cli.SnapshotJSON, int) {
	c := r.cfg
	args := commandArgs(c)
	var res result
	r.group("savepoint "+args[0], func() { res = r.runCLI(ctx, args) })
	if res.code == cli.ExitNoRepository && c.init {
		var ir result
		r.group("savepoint init (first use of this repository)", func() { ir = r.runCLI(ctx, []string{"init"}) })
		if ir.code != cli.ExitOK {
			r.fail("savepoint init failed", "%s", ir.errMsg)
			return nil, ir.code
		}
		r.group("savepoint "+args[0], func() { res = r.runCLI(ctx, args) })
	}
	if res.code != cli.ExitOK && res.code != cli.ExitPartial {
		msg := res.errMsg
		if !c.init && res.code == cli.ExitNoRepository {
			msg += " (or set the input init: true)"
		}
		r.fail("savepoint "+args[0]+" failed", "%s", msg)
		return nil, res.code
	}
	var snap cli.SnapshotJSON
	if err := json.Unmarshal(res.stdout, &snap); err != nil {
		r.fail("savepoint "+args[0]+" failed", "unreadable output from savepoint: %v", err)
		return nil, cli.ExitError
	}
	if res.code == cli.ExitPartial {
		r.a.WithFieldsMap(map[string]string{"title": "savepoint: partial snapshot"}).Warningf("%s", cli.OneLine(r.scrub(res.errMsg)))
	}
	st := snap.Stats
	r.setOutput("snapshot_id", snap.ID)
	r.setOutput("bytes_new", strconv.FormatInt(st.BytesNew, 10))
	r.setOutput("bytes_total", strconv.FormatInt(st.BytesScanned, 10))
	r.setOutput("files", strconv.FormatInt(st.Files, 10))
	r.setOutput("dedup_ratio", strconv.FormatFloat(snap.DedupRatio, 'f', 2, 64))
	r.setOutput("requests", strconv.FormatInt(st.Requests.Total(), 10))
	var changes []tree.Change
	diffOK := false
	if snap.Parent != "" {
		r.group("savepoint diff (changes since the parent)", func() {
			d := r.runCLI(ctx, []string{"diff", snap.Parent, snap.ID})
			if d.code == cli.ExitOK && json.Unmarshal(d.stdout, &changes) == nil {
				diffOK = true
			} else {
				r.a.Warningf("%s", r.scrub("could not list changes since the parent: "+d.errMsg))
			}
		})
	}
	r.summary(saveSummary(c, &snap, changes, diffOK, provenance(r.a.Getenv)))
	return &snap, res.code
}

// restoreResult is restore's JSON output.
type restoreResult struct {
	Snapshot string `json:"snapshot"`
	Target   string `json:"target"`
	Result   struct {
		Files       int64            `json:"files"`
		Dirs        int64            `json:"dirs"`
		Symlinks    int64            `json:"symlinks"`
		Bytes       int64            `json:"bytes"`
		Refused     []string         `json:"refused"`
		DurationSec float64          `json:"duration_seconds"`
		Requests    storage.Requests `json:"requests"`
	} `json:"result"`
}

// restore restores ref into the target; why labels the summary.
func (r *runner) restore(ctx context.Context, ref, why string) int {
	res, ok := r.runRestore(ctx, ref)
	if !ok {
		r.fail("savepoint restore failed", "%s", res.errMsg)
		return res.code
	}
	return r.reportRestore(res, why)
}

func (r *runner) runRestore(ctx context.Context, ref string) (result, bool) {
	args := append(r.cfg.restoreArgs(), "--", ref)
	var res result
	r.group("savepoint restore", func() { res = r.runCLI(ctx, args) })
	if res.code != cli.ExitOK && res.code != cli.ExitPartial {
		return res, false
	}
	return res, true
}

func (r *runner) reportRestore(res result, why string) int {
	var out restoreResult
	if err := json.Unmarshal(res.stdout, &out); err != nil {
		r.fail("savepoint restore failed", "unreadable output from savepoint: %v", err)
		return cli.ExitError
	}
	if res.code == cli.ExitPartial {
		r.a.WithFieldsMap(map[string]string{"title": "savepoint: restore refused entries"}).Warningf("%s", cli.OneLine(r.scrub(res.errMsg)))
	}
	r.setOutput("snapshot_id", out.Snapshot)
	r.setOutput("files", strconv.FormatInt(out.Result.Files, 10))
	r.setOutput("bytes_total", strconv.FormatInt(out.Result.Bytes, 10))
	r.setOutput("bytes_new", "0")
	r.setOutput("requests", strconv.FormatInt(out.Result.Requests.Total(), 10))
	r.summary(restoreSummary(r.cfg, &out, why))
	return res.code
}

// restoreForPost is the main step of save_on: post: restore the newest
// snapshot of the name, if any (a miss is not an error), and leave the save
// to the post step.
func (r *runner) restoreForPost(ctx context.Context) int {
	ref := r.cfg.name + ":latest"
	res, ok := r.runRestore(ctx, ref)
	r.saveState(statePost, "save")
	if ok {
		r.setOutput("cache_hit", "true")
		return r.reportRestore(res, "restore (save_on: post)")
	}
	if miss := res.code == cli.ExitNoSnapshot || res.code == cli.ExitNoRepository; !miss {
		r.fail("savepoint restore failed", "%s", res.errMsg)
		return res.code
	}
	r.setOutput("cache_hit", "false")
	r.a.Infof("no snapshot named %s yet: nothing restored; the post step saves one", r.cfg.name)
	r.summary(fmt.Sprintf("### savepoint: no snapshot named `%s` yet\n\nNothing was restored; the post step saves %s when the job succeeds.\n", r.cfg.name, strings.Join(r.cfg.paths, ", ")))
	return cli.ExitOK
}

// rollback rolls back to the snapshot the main step recorded, with the
// rollback command (files, restore commands, image tags).
func (r *runner) rollback(ctx context.Context, id string) int {
	if id == "" {
		r.fail("savepoint rollback failed", "the main step recorded no snapshot to roll back to")
		return cli.ExitError
	}
	r.a.WithFieldsMap(map[string]string{"title": "savepoint: rolling back"}).Warningf("the job failed: rolling back to %s", shortID(id))
	args := []string{"rollback", "--to", id}
	if r.cfg.name != "" {
		args = append(args, "--name", r.cfg.name)
	}
	if r.cfg.target != "" {
		args = append(args, "--target", r.cfg.target)
	}
	return r.generic(ctx, append(args, r.cfg.ownerFlags()...))
}

// snapshots lists snapshots; the newest's ID is the snapshot_id output.
func (r *runner) snapshots(ctx context.Context) int {
	var res result
	r.group("savepoint snapshots", func() { res = r.runCLI(ctx, commandArgs(r.cfg)) })
	if res.code != cli.ExitOK {
		r.fail("savepoint snapshots failed", "%s", res.errMsg)
		return res.code
	}
	var list []cli.SnapshotJSON
	if err := json.Unmarshal(res.stdout, &list); err != nil {
		r.fail("savepoint snapshots failed", "unreadable output from savepoint: %v", err)
		return cli.ExitError
	}
	if len(list) > 0 {
		r.setOutput("snapshot_id", list[len(list)-1].ID)
	}
	r.summary(snapshotsSummary(r.cfg, list))
	return cli.ExitOK
}

// generic runs a command whose JSON output the summary shows as is.
func (r *runner) generic(ctx context.Context, args []string) int {
	var res result
	r.group("savepoint "+args[0], func() { res = r.runCLI(ctx, args) })
	out := r.scrub(strings.TrimSpace(string(res.stdout)))
	if out != "" {
		r.a.Infof("%s", out)
	}
	if rb, ok := parseRollback(res.stdout); ok && args[0] == "rollback" {
		r.setOutput("snapshot_id", rb.Plan.Snapshot)
		r.summary(rollbackSummary(rb))
	} else {
		r.summary(genericSummary(args[0], out, res.code))
	}
	if res.code != cli.ExitOK {
		r.fail("savepoint "+args[0]+" failed", "%s", res.errMsg)
	}
	return res.code
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
