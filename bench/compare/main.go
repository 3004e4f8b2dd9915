//go:build unix

// Command compare runs savepoint beside its peers (restic, kopia and
// tar+zstd) on generated CI-like datasets through the scenarios a CI cache
// sees (cold save, unchanged re-save, fresh-runner re-save, fresh-runner
// re-save with 1% of files changed, restore into an empty directory). It
// reports wall time, CPU time, peak memory, bytes stored and requests for
// every tool, and savepoint's ratio to its peers beside each target. It
// writes the results as JSON, a Markdown table and an SVG chart, and
// rewrites the marked section of docs/performance.md.
//
//	go run ./bench/compare -scale 0.1       # quick run
//	go run ./bench/compare                  # full size (~900 MB of data)
//	go run ./bench/compare -location minio  # repositories in MinIO
//	go run ./bench/compare -location server # savepoint through savepoint serve
//
// The peers' binaries come from scripts/peers.sh (make bench runs it).
//
// # Extending the harness
//
// Each of these is one entry in one table, plus the code it names:
//
//   - A dataset: a generator in internal/benchdata (a case in Generate and
//     a name in benchdata.Datasets, which is the default -datasets list);
//     a dataset of sparse files (disk images) also goes in sparseDatasets
//     (dataset.go).
//   - A scenario: an entry in scenarios (scenario.go) with the doc line
//     that goes into the results, an optional prepare step on the tree and
//     a run function. A scenario that needs a command some tools lack
//     (say "copy": savepoint copy vs restic copy) declares a small
//     interface (type copier interface{ Copy(...) (measure, error) }),
//     which the runners that can do it implement; its run returns
//     errUnsupported for the others, and their cells show "-". Targets
//     apply to every scenario unless they list theirs (targets.go).
//   - A tool: a file with a type implementing runner (tool.go; restic.go is
//     a short example) and an entry in tools with its colour and default
//     binary; build the binary in scripts/peers.sh.
//   - A location: an entry in locations (location.go) that starts it and
//     fills a field of location; each runner that can use it reads that
//     field in Init and the others return errUnsupported there. "server"
//     is the example: savepoint serve in front of a local directory, used
//     by the tool "savepoint-server" (a savepointRunner through the server;
//     errUnsupported elsewhere), with a target whose subject is
//     "savepoint-server" and whose peer is "savepoint" on a local
//     directory in the same run.
//   - A target: an entry in targets (targets.go); the report adds a column.
//
// It measures through getrusage and process groups: unix only.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/savepoint-ci/savepoint/internal/benchdata"
)

// options are the command-line flags.
type options struct {
	scale                     float64
	work, docs, from, where   string
	datasets, tools, binaries string
	profile                   string
	keep                      bool
}

func main() {
	var toolNames []string
	for _, t := range tools {
		toolNames = append(toolNames, t.name)
	}
	var o options
	flag.Float64Var(&o.scale, "scale", 1, "dataset size factor (0.1 for a quick run)")
	flag.StringVar(&o.work, "work", "", "work directory (default: a new temp dir, removed after)")
	bin := flag.String("savepoint", "", "savepoint binary (same as -bin savepoint=PATH)")
	flag.StringVar(&o.binaries, "bin", "", "tool binaries, NAME=PATH,... (defaults: bin/savepoint, .tools/bin/NAME)")
	flag.StringVar(&o.docs, "docs", "docs", "where to write performance.md and bench/ results (empty: don't write)")
	flag.StringVar(&o.datasets, "datasets", strings.Join(benchdata.Datasets, ","), "datasets to run, comma-separated")
	flag.StringVar(&o.tools, "tools", "", "tools to run, comma-separated (default: the location's, else every tool that runs there: "+strings.Join(toolNames, ",")+")")
	flag.StringVar(&o.where, "location", "local", "where the repositories live: "+strings.Join(locationNames(), ", "))
	minio := flag.Bool("minio", false, "same as -location minio")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory")
	flag.StringVar(&o.profile, "profile", "", "write savepoint's CPU and heap profiles of every step into this directory (slows savepoint a little: not for the record)")
	flag.StringVar(&o.from, "from", "", "only re-render the docs from a results JSON file written by an earlier run")
	flag.Parse()
	if *minio {
		o.where = "minio"
	}
	if *bin != "" {
		o.binaries += ",savepoint=" + *bin + ",savepoint-server=" + *bin
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	var err error
	if o.from != "" {
		err = rerender(o.from, o.docs)
	} else {
		err = compare(ctx, o)
	}
	if err != nil {
		cancel()
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

// compare is one run: every dataset, scenario and tool.
func compare(ctx context.Context, o options) error {
	overrides := map[string]string{}
	for _, kv := range strings.Split(o.binaries, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			overrides[k] = v
		}
	}
	where, err := placeByName(o.where)
	if err != nil {
		return err
	}
	var chosen []tool
	binaries := map[string]string{}
	for _, name := range toolsFor(where, o.tools) {
		t, err := toolByName(name)
		if err != nil {
			return err
		}
		if binaries[name], err = t.binary(overrides); err != nil {
			return err
		}
		chosen = append(chosen, t)
	}
	dir := o.work
	if dir == "" {
		if dir, err = os.MkdirTemp("", "savepoint-bench-"); err != nil {
			return err
		}
	}
	if !o.keep {
		defer os.RemoveAll(dir)
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return err
	}
	loc, stop, err := where.start(ctx, locationEnv{work: dir, binary: func(name string) (string, error) {
		t, err := toolByName(name)
		if err != nil {
			return "", err
		}
		return t.binary(overrides)
	}})
	if err != nil {
		return err
	}
	defer stop()
	run := &Run{
		Date: time.Now().UTC().Format(time.RFC3339), Scale: o.scale, CPUs: cpus(), Backend: loc.name,
		LoadBefore: loadavg(), PressureBefore: cpuPressure(), Versions: map[string]string{}, Scenarios: map[string]string{},
	}
	for _, sc := range scenarios {
		run.Scenarios[sc.name] = sc.doc
	}
	for _, t := range chosen {
		run.Versions[t.name] = t.new(binaries[t.name], loc).Version(ctx)
	}
	b := &bench{work: dir, scale: o.scale, loc: loc, tools: chosen, binaries: binaries}
	if o.profile != "" {
		if b.profile, err = filepath.Abs(o.profile); err == nil {
			err = os.MkdirAll(b.profile, 0o755)
		}
		if err != nil {
			return err
		}
	}
	start := time.Now()
	for _, ds := range strings.Split(o.datasets, ",") {
		res, stats, err := b.dataset(ctx, ds)
		if err != nil {
			return fmt.Errorf("%s: %w", ds, err)
		}
		run.Datasets = append(run.Datasets, Dataset{Name: ds, Files: stats.Files, Bytes: stats.Bytes})
		run.Results = append(run.Results, res...)
	}
	run.LoadAfter, run.PressureAfter = loadavg(), cpuPressure()
	run.TotalSec = time.Since(start).Seconds()
	printReport(os.Stdout, run)
	if o.docs == "" {
		return nil
	}
	if err := writeDocs(o.docs, run); err != nil {
		return err
	}
	fmt.Printf("\nwrote %s\n", filepath.Join(o.docs, "performance.md"))
	return nil
}

// toolsFor is the tools a run at where takes: those of -tools (list), else
// the location's, else every tool that runs there.
func toolsFor(where place, list string) []string {
	if list != "" {
		return strings.Split(list, ",")
	}
	if where.tools != nil {
		return where.tools
	}
	var names []string
	for _, t := range tools {
		if t.at == "" || t.at == where.name {
			names = append(names, t.name)
		}
	}
	return names
}

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

func human(n int64) string {
	switch {
	case n < 0:
		return "n/a"
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
}

func count(n int64) string {
	if n < 0 {
		return "n/a"
	}
	return fmt.Sprint(n)
}

// rerender rewrites the docs from an earlier run's JSON.
func rerender(path, docs string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var r Run
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if r.Backend == "" {
		r.Backend = "local"
	}
	printReport(os.Stdout, &r)
	return writeDocs(docs, &r)
}
