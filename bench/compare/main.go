// Command compare runs savepoint, restic and tar+zstd side by side on
// generated CI-like datasets through the scenarios a CI cache sees (cold
// save, unchanged re-save, fresh-runner re-save, fresh-runner re-save with
// 1% of files changed, restore into an empty directory) and reports wall
// time, peak memory, bytes stored and requests, with savepoint's ratio to
// each peer. It writes the results as JSON, a Markdown table and an SVG
// chart, and rewrites the marked section of docs/performance.md.
//
//	go run ./bench/compare -scale 0.1     # quick run
//	go run ./bench/compare                 # full size (~900 MB of data)
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/savepoint-ci/savepoint/internal/benchdata"
)

// Scenarios in run order.
var scenarios = []string{"cold", "unchanged", "fresh", "fresh-1%", "restore"}

var scenarioDoc = map[string]string{
	"cold":      "first save into an empty repository",
	"unchanged": "save again, same tree (restic keeps its local cache)",
	"fresh":     "fresh runner: a new copy of the tree (new mtimes and inodes), no local cache",
	"fresh-1%":  "fresh runner as above, with 1% of the files changed",
	"restore":   "restore the latest snapshot into an empty directory (no local cache)",
}

func main() {
	var (
		scale    = flag.Float64("scale", 1, "dataset size factor (0.1 for a quick run)")
		work     = flag.String("work", "", "work directory (default: a new temp dir, removed after)")
		bin      = flag.String("savepoint", "bin/savepoint", "savepoint binary")
		docs     = flag.String("docs", "docs", "where to write performance.md and bench/ results (empty: don't write)")
		only     = flag.String("datasets", strings.Join(benchdata.Datasets, ","), "datasets to run, comma-separated")
		tools    = flag.String("tools", "savepoint,restic,tar+zstd", "tools to run, comma-separated")
		minio    = flag.Bool("minio", false, "savepoint and restic repositories in MinIO (scripts/services/minio.sh) instead of local directories; results go to the -minio files")
		server   = flag.Bool("server", false, "savepoint through `savepoint serve` on loopback (local storage) beside savepoint on a local directory; results go to the -server files")
		keepWork = flag.Bool("keep", false, "keep the work directory")
		from     = flag.String("from", "", "only re-render the docs from a results JSON file written by an earlier run")
	)
	flag.Parse()
	if *from != "" {
		if err := rerender(*from, *docs); err != nil {
			fatal(err)
		}
		return
	}
	absBin, err := filepath.Abs(*bin)
	if err != nil {
		fatal(err)
	}
	if _, err := os.Stat(absBin); err != nil {
		fatal(fmt.Errorf("savepoint binary: %v (run make build)", err))
	}
	dir := *work
	if dir == "" {
		if dir, err = os.MkdirTemp("", "savepoint-bench-"); err != nil {
			fatal(err)
		}
	}
	if !*keepWork {
		defer os.RemoveAll(dir)
	}
	if dir, err = filepath.Abs(dir); err != nil {
		fatal(err)
	}
	var s3 *minioServer
	backend := "local"
	if *minio {
		var stop func()
		if s3, stop, err = startMinio(); err != nil {
			fatal(err)
		}
		defer stop()
		backend = "minio"
	}
	var srv *benchServer
	if *server {
		var stop func()
		if srv, stop, err = startServer(absBin, dir); err != nil {
			fatal(err)
		}
		defer stop()
		backend = "server"
		*tools = strings.Join(serverTools, ",")
	}
	var runners []runner
	for _, t := range strings.Split(*tools, ",") {
		switch t {
		case "savepoint":
			runners = append(runners, &savepointRunner{bin: absBin, s3: s3})
		case "savepoint-server":
			if srv == nil {
				fatal(fmt.Errorf("tool savepoint-server needs -server"))
			}
			runners = append(runners, &savepointRunner{bin: absBin, server: srv})
		case "restic":
			runners = append(runners, &resticRunner{s3: s3})
		case "tar+zstd":
			runners = append(runners, &tarRunner{})
		default:
			fatal(fmt.Errorf("unknown tool %q", t))
		}
	}
	run := &Run{
		Date: time.Now().UTC().Format(time.RFC3339), Scale: *scale, CPUs: cpus(), Backend: backend,
		LoadBefore: loadavg(), Versions: versions(absBin), Scenarios: scenarioDoc,
	}
	start := time.Now()
	for _, ds := range strings.Split(*only, ",") {
		res, stats, err := runDataset(dir, ds, *scale, runners)
		if err != nil {
			fatal(fmt.Errorf("%s: %w", ds, err))
		}
		run.Datasets = append(run.Datasets, Dataset{Name: ds, Files: stats.Files, Bytes: stats.Bytes})
		run.Results = append(run.Results, res...)
	}
	run.LoadAfter = loadavg()
	run.TotalSec = time.Since(start).Seconds()
	printTable(os.Stdout, run)
	if *docs != "" {
		if err := writeDocs(*docs, run); err != nil {
			fatal(err)
		}
		fmt.Printf("\nwrote %s\n", filepath.Join(*docs, "performance.md"))
	}
}

// runDataset generates one dataset and takes every tool through the scenarios.
func runDataset(work, ds string, scale float64, runners []runner) ([]Result, benchdata.Stats, error) {
	orig := filepath.Join(work, "orig", ds)
	data := filepath.Join(work, "data", ds)
	os.RemoveAll(orig)
	os.RemoveAll(data)
	fmt.Fprintf(os.Stderr, "== %s: generating (scale %g)\n", ds, scale)
	stats, err := benchdata.Generate(orig, ds, scale)
	if err != nil {
		return nil, stats, err
	}
	defer os.RemoveAll(orig)
	defer os.RemoveAll(data)
	if err := freshCopy(orig, data); err != nil {
		return nil, stats, err
	}
	for _, r := range runners {
		repo := filepath.Join(work, "repos", r.Name()+"-"+ds)
		os.RemoveAll(repo)
		if err := r.Init(repo); err != nil {
			return nil, stats, fmt.Errorf("%s init: %w", r.Name(), err)
		}
		defer os.RemoveAll(repo)
	}
	// Disk images (the image dataset): the peers are asked for holes
	// (restic restore --sparse, tar -S); savepoint makes them unasked.
	image := ds == "image"
	for _, r := range runners {
		if s, ok := r.(sparseRunner); ok {
			s.setSparse(image)
		}
	}
	var out []Result
	for _, sc := range scenarios {
		switch sc {
		case "fresh":
			if err := freshCopy(orig, data); err != nil {
				return nil, stats, err
			}
		case "fresh-1%":
			if err := freshCopy(orig, data); err != nil {
				return nil, stats, err
			}
			if _, err := benchdata.Change(data); err != nil {
				return nil, stats, err
			}
		}
		for _, r := range runners {
			fmt.Fprintf(os.Stderr, "   %-9s %-16s ", sc, r.Name())
			var m measure
			var err error
			if sc == "restore" {
				target := filepath.Join(work, "restore", r.Name()+"-"+ds)
				os.RemoveAll(target)
				os.MkdirAll(filepath.Dir(target), 0o755)
				m, err = r.Restore(target)
				if err == nil {
					err = compareTrees(data, target, r.Name() == "tar+zstd")
				}
				if err == nil && image {
					m.allocated, m.srcAllocated = allocated(target), allocated(data)
					fmt.Fprintf(os.Stderr, "(allocated %s, the source %s) ", human(m.allocated), human(m.srcAllocated))
				}
				os.RemoveAll(target)
			} else {
				m, err = r.Save(filepath.Dir(data), ds, sc != "cold" && sc != "unchanged")
			}
			if err != nil {
				return nil, stats, fmt.Errorf("%s %s: %w", r.Name(), sc, err)
			}
			fmt.Fprintf(os.Stderr, "%7.2fs (cpu %6.2fs) %6.0f MiB  stored %s\n", m.wall.Seconds(), m.cpu.Seconds(), float64(m.rssKB)/1024, human(m.stored))
			out = append(out, Result{
				Dataset: ds, Scenario: sc, Tool: r.Name(), WallSec: round3(m.wall.Seconds()), CPUSec: round3(m.cpu.Seconds()),
				PeakRSSMiB: round3(float64(m.rssKB) / 1024), StoredBytes: m.stored, Requests: m.requests,
				AllocatedBytes: m.allocated, SourceAllocatedBytes: m.srcAllocated,
			})
		}
	}
	return out, stats, nil
}

// freshCopy replaces dst with a copy of src made the way a fresh checkout
// is: new inodes, new mtimes.
func freshCopy(src, dst string) error {
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := exec.Command("cp", "-r", "--no-preserve=timestamps", src, dst).CombinedOutput()
	if err != nil {
		return fmt.Errorf("cp: %v: %s", err, out)
	}
	return nil
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "compare:", err)
	os.Exit(1)
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
	printTable(os.Stdout, &r)
	return writeDocs(docs, &r)
}
