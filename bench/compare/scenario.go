//go:build unix

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/savepoint-ci/savepoint/internal/benchdata"
)

// scenario is one step every tool goes through on each dataset, in order:
// a scenario sees the repository the previous ones left.
type scenario struct {
	name, doc string
	// prepare readies the tree the tools save (data) from the generated
	// one (orig) before the tools run; nil leaves it as it is.
	prepare func(orig, data string) error
	// run takes one tool through the scenario; errUnsupported skips it.
	run func(ctx context.Context, r runner, t *trial) (measure, error)
}

// trial is what a scenario's run needs to know about the dataset and tool.
type trial struct {
	tool    tool
	dataset string
	data    string // the tree saved: data's parent is the working directory
	scratch string // a path the scenario may use (restore target), removed after
	sparse  bool   // the dataset is in sparseDatasets
}

var scenarios = []scenario{
	{name: "cold", doc: "first save into an empty repository",
		prepare: freshCopy, run: save(false)},
	{name: "unchanged", doc: "save again, same tree (restic and kopia keep their local cache)",
		run: save(false)},
	{name: "fresh", doc: "fresh runner: a new copy of the tree (new mtimes and inodes), no local cache",
		prepare: freshCopy, run: save(true)},
	{name: "fresh-1%", doc: "fresh runner as above, with 1% of the files changed",
		prepare: changedCopy, run: save(true)},
	{name: "restore", doc: "restore the latest snapshot into an empty directory (no local cache)",
		run: restore},
}

func save(fresh bool) func(context.Context, runner, *trial) (measure, error) {
	return func(ctx context.Context, r runner, t *trial) (measure, error) {
		return r.Save(ctx, filepath.Dir(t.data), t.dataset, fresh)
	}
}

// restore restores into the scratch path and checks the tree file by file.
func restore(ctx context.Context, r runner, t *trial) (measure, error) {
	if err := os.MkdirAll(filepath.Dir(t.scratch), 0o755); err != nil {
		return measure{}, err
	}
	m, err := r.Restore(ctx, t.scratch)
	if err == nil {
		err = compareTrees(t.data, t.scratch, t.tool.secondMtimes)
	}
	if err == nil && t.sparse {
		m.allocated, m.srcAllocated = allocated(t.scratch), allocated(t.data)
	}
	return m, err
}

// freshCopy replaces data with a copy of orig made the way a fresh
// checkout is: new inodes, new mtimes.
func freshCopy(orig, data string) error {
	if err := os.RemoveAll(data); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(data), 0o755); err != nil {
		return err
	}
	out, err := exec.Command("cp", "-r", "--no-preserve=timestamps", orig, data).CombinedOutput()
	if err != nil {
		return fmt.Errorf("cp: %v: %s", err, out)
	}
	return nil
}

// changedCopy is a fresh copy with 1% of the files changed.
func changedCopy(orig, data string) error {
	if err := freshCopy(orig, data); err != nil {
		return err
	}
	_, err := benchdata.Change(data)
	return err
}
