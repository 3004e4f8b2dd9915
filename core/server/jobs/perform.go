package jobs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/savepoint-ci/savepoint/core/capture"
	"github.com/savepoint-ci/savepoint/core/forget"
	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/server/repos"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/verify"
	"github.com/savepoint-ci/savepoint/internal/mask"
)

// perform runs the job's operation on the repository, opened with the
// password the server holds, and returns its result.
func perform(ctx context.Context, x *run, repo *repos.Repo, program string, now func() time.Time) (any, error) {
	spec := x.job.Spec // set before the job started; never changes
	rp, err := repo.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer rp.Close()
	defer repo.Changed() // the quota figure is listed afresh
	rep := x.rep
	host, _ := os.Hostname()
	switch spec.Kind {
	case KindSave:
		return saveJob(ctx, rp, x.job.ID, spec, rep, host, program, now)
	case KindVerify:
		res, err := verify.Run(ctx, rp, verify.Options{ReadData: spec.ReadData, ReadDataSubset: spec.ReadDataSubset})
		if err == nil && !res.OK() {
			err = fmt.Errorf("verify found %d problem(s) in %d snapshot(s)", len(res.Problems), len(res.Failed))
		}
		if res != nil {
			rep.Logf("%d snapshot(s), %d tree(s), %d blob(s) in %d pack(s) checked; %d problem(s)", res.Snapshots, res.Trees, res.Blobs, res.Packs, len(res.Problems))
			for _, p := range res.Problems {
				rep.Logf("problem: %s", p.String())
			}
		}
		return res, err
	case KindForget:
		return forgetJob(ctx, rp, spec, rep, now)
	case KindPrune:
		out := map[string]any{}
		if spec.Keep != nil {
			fr, err := forgetJob(ctx, rp, spec, rep, now)
			if fr != nil {
				out["forget"] = fr
			}
			if err != nil {
				return out, err
			}
		}
		po := prune.Options{Grace: spec.grace(), MaxUnused: spec.MaxUnused, DryRun: spec.DryRun, Host: "savepoint serve on " + host, Now: now}
		res, err := prune.Run(ctx, rp, po)
		if res != nil {
			out["prune"] = res
			rep.Logf("prune: deleted %d pack(s), %d bytes; repacked %d pack(s)", res.PacksDeleted, res.BytesDeleted, res.PacksRepacked)
		}
		return out, err
	case KindRestore:
		return restoreJob(ctx, rp, spec, rep)
	case KindSync:
		return syncJob(ctx, rp, spec, rep, now)
	}
	return nil, fmt.Errorf("unknown job kind %q", spec.Kind)
}

func forgetJob(ctx context.Context, rp *repository.Repository, spec Spec, rep *reporter, now func() time.Time) (*forget.Result, error) {
	fo, err := spec.forgetOptions()
	if err != nil {
		return nil, err
	}
	res, err := forget.Run(ctx, rp, fo, now())
	if res != nil {
		verb := "removed"
		if res.DryRun {
			verb = "would remove"
		}
		rep.Logf("forget: %s %d of %d snapshot(s)", verb, countRemoved(res), len(res.Snapshots))
	}
	return res, err
}

func countRemoved(res *forget.Result) int {
	n := 0
	for _, e := range res.Snapshots {
		if !e.Keep {
			n++
		}
	}
	return n
}

// saveJob captures the command sources, then the paths, as the CLI's save
// does; nothing is committed unless everything was captured.
func saveJob(ctx context.Context, rp *repository.Repository, id string, spec Spec, rep *reporter, host, program string, now func() time.Time) (any, error) {
	started := now()
	if err := rp.BeginSession(ctx, host, started); err != nil {
		return nil, err
	}
	defer rp.EndSession(context.WithoutCancel(ctx))
	var sources []snapshot.Source
	for _, c := range spec.Commands {
		prefix := c.Name + ": "
		stderr := &mask.LineWriter{Max: 4096, Line: func(line string) { rep.add(prefix + line) }}
		src, err := capture.RunCommand(ctx, rp, capture.Command{Name: c.Name, Command: c.Command,
			Stderr: stderr, Env: commandEnv(), Reporter: rep})
		stderr.Flush()
		if err != nil {
			return nil, fmt.Errorf("%w; nothing was committed", err)
		}
		sources = append(sources, src)
	}
	var parent *snapshot.Snapshot
	if len(spec.Paths) > 0 {
		var err error
		if parent, err = save.FindParent(ctx, rp, spec.Name, spec.Paths); err != nil {
			return nil, err
		}
	}
	snap, err := save.Run(ctx, rp, save.Options{
		Paths: spec.Paths, Excludes: spec.Excludes, Name: spec.Name, Tags: spec.Tags, Hostname: host,
		Parent: parent, Checkpoint: spec.Checkpoint, Sources: sources, Program: program,
		Reporter: rep, Started: started, Now: now,
		Provenance: map[string]string{"server_job": id},
	})
	if snap == nil {
		return nil, err
	}
	rep.Logf("saved snapshot %s: %d file(s), %d bytes scanned, %d bytes new", snap.ID.Short(), snap.Stats.Files, snap.Stats.BytesScanned, snap.Stats.BytesNew)
	return snapshot.Summarize(snap), err
}

// commandEnv is the environment of a save job's commands: the server's,
// without its password variables.
func commandEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k != "SAVEPOINT_PASSWORD" && k != "SAVEPOINT_TOKEN" {
			out = append(out, kv)
		}
	}
	return out
}

func restoreJob(ctx context.Context, rp *repository.Repository, spec Spec, rep *reporter) (any, error) {
	list, err := snapshot.List(ctx, rp)
	if err != nil {
		return nil, err
	}
	snap, err := snapshot.Find(list, spec.Snapshot)
	if err != nil {
		return nil, err
	}
	if snap.Tree == nil {
		return nil, fmt.Errorf("snapshot %s holds no files", snap.ID.Short())
	}
	host, _ := os.Hostname()
	if err := rp.BeginSession(ctx, host, time.Now()); err == nil {
		defer rp.EndSession(context.WithoutCancel(ctx))
	}
	res, err := restore.Run(ctx, rp, snap, restore.Options{Target: spec.Target, Includes: spec.Includes, Reporter: rep})
	rep.Logf("restored snapshot %s into %s: %d file(s), %d bytes", snap.ID.Short(), spec.Target, res.Files, res.Bytes)
	if err != nil && !errors.Is(err, restore.ErrRefused) {
		return nil, err
	}
	return map[string]any{"snapshot": snap.ID.String(), "target": spec.Target, "result": res}, err
}
