//go:build unix

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/savepoint-ci/savepoint/internal/benchdata"
)

// bench is a run's setup, the same for every dataset.
type bench struct {
	work     string
	scale    float64
	loc      *location
	tools    []tool
	binaries map[string]string
	profile  string // where savepoint writes profiles; "" for none
}

// sparseDatasets hold sparse files (disk images, mostly holes): the peers
// are asked to keep holes (restic restore --sparse, tar -S, kopia restore
// --write-sparse-files; savepoint keeps them unasked), and restores record
// the space the restored tree and the source take on disk.
var sparseDatasets = []string{"image"}

// sparser is a runner that keeps holes only when asked.
type sparser interface{ keepHoles() }

// profiler is a runner that can profile its next command into files
// starting with prefix.
type profiler interface{ profileTo(prefix string) }

// dataset generates one dataset and takes every tool through the
// scenarios.
func (b *bench) dataset(ctx context.Context, ds string) ([]Result, benchdata.Stats, error) {
	work, loc := b.work, b.loc
	orig := filepath.Join(work, "orig", ds)
	data := filepath.Join(work, "data", ds)
	os.RemoveAll(orig)
	os.RemoveAll(data)
	fmt.Fprintf(os.Stderr, "== %s: generating (scale %g)\n", ds, b.scale)
	stats, err := benchdata.Generate(orig, ds, b.scale)
	if err != nil {
		return nil, stats, err
	}
	defer os.RemoveAll(orig)
	defer os.RemoveAll(data)
	sparse := slices.Contains(sparseDatasets, ds)
	type entry struct {
		tool tool
		r    runner
	}
	var active []entry
	for _, t := range b.tools {
		r := t.new(b.binaries[t.name], loc)
		if s, ok := r.(sparser); ok && sparse {
			s.keepHoles()
		}
		dir := filepath.Join(work, "repos", t.name+"-"+ds)
		os.RemoveAll(dir)
		defer os.RemoveAll(dir)
		err := r.Init(ctx, dir, ds)
		switch {
		case errors.Is(err, errUnsupported):
			fmt.Fprintf(os.Stderr, "   %s: not at location %s, skipped\n", t.name, loc.name)
			continue
		case err != nil:
			return nil, stats, fmt.Errorf("%s init: %w", t.name, err)
		}
		active = append(active, entry{t, r})
	}
	var out []Result
	for _, sc := range scenarios {
		if sc.prepare != nil {
			if err := sc.prepare(orig, data); err != nil {
				return nil, stats, err
			}
		}
		for _, e := range active {
			t := &trial{tool: e.tool, dataset: ds, data: data, scratch: filepath.Join(work, "scratch", e.tool.name+"-"+ds), sparse: sparse}
			os.RemoveAll(t.scratch)
			fmt.Fprintf(os.Stderr, "   %-9s %-16s ", sc.name, e.tool.name)
			if p, ok := e.r.(profiler); ok && b.profile != "" {
				p.profileTo(filepath.Join(b.profile, ds+"-"+sc.name))
			}
			if loc.requests != nil {
				loc.requests.take()
			}
			m, err := sc.run(ctx, e.r, t)
			os.RemoveAll(t.scratch)
			if errors.Is(err, errUnsupported) {
				fmt.Fprintln(os.Stderr, "not supported")
				continue
			}
			if err != nil {
				return nil, stats, fmt.Errorf("%s %s: %w", e.tool.name, sc.name, err)
			}
			if loc.requests != nil {
				m.requests = loc.requests.take()
			}
			fmt.Fprintf(os.Stderr, "%7.2fs (cpu %6.2fs) %6.0f MiB  stored %-10s requests %s", m.wall.Seconds(), m.cpu.Seconds(),
				float64(m.rssKB)/1024, human(m.stored), count(m.requests))
			if m.allocated > 0 {
				fmt.Fprintf(os.Stderr, "  allocated %s (the source %s)", human(m.allocated), human(m.srcAllocated))
			}
			fmt.Fprintln(os.Stderr)
			out = append(out, Result{
				Dataset: ds, Scenario: sc.name, Tool: e.tool.name, WallSec: round3(m.wall.Seconds()), CPUSec: round3(m.cpu.Seconds()),
				PeakRSSMiB: round3(float64(m.rssKB) / 1024), StoredBytes: m.stored, Requests: m.requests,
				AllocatedBytes: m.allocated, SourceAllocatedBytes: m.srcAllocated,
			})
		}
	}
	return out, stats, nil
}
