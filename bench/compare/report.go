//go:build unix

package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
)

// Run is one comparison, as written to docs/bench/results.json.
type Run struct {
	Date       string  `json:"date"`
	Scale      float64 `json:"scale"`
	Backend    string  `json:"backend"` // the location: local, minio or server
	CPUs       int     `json:"cpus"`
	LoadBefore string  `json:"load_before"`
	LoadAfter  string  `json:"load_after"`
	// CPU pressure (Linux PSI): the share of the last minute in which some
	// runnable task waited for a CPU, before and after the run.
	PressureBefore string            `json:"cpu_pressure_before,omitempty"`
	PressureAfter  string            `json:"cpu_pressure_after,omitempty"`
	TotalSec       float64           `json:"total_seconds"`
	Versions       map[string]string `json:"versions"` // per tool: version and settings
	Scenarios      map[string]string `json:"scenarios"`
	Datasets       []Dataset         `json:"datasets"`
	Results        []Result          `json:"results"`
}

// Dataset is one generated tree.
type Dataset struct {
	Name  string `json:"name"`
	Files int    `json:"files"`
	Bytes int64  `json:"bytes"`
}

// Result is one tool in one scenario on one dataset.
type Result struct {
	Dataset     string  `json:"dataset"`
	Scenario    string  `json:"scenario"`
	Tool        string  `json:"tool"`
	WallSec     float64 `json:"wall_seconds"`
	CPUSec      float64 `json:"cpu_seconds"` // user+system, all processes of the command
	PeakRSSMiB  float64 `json:"peak_rss_mib"`
	StoredBytes int64   `json:"stored_bytes"` // bytes added to storage; -1 n/a
	Requests    int64   `json:"requests"`     // backend requests; -1 not counted
	// Restores of sparse datasets: the space the restored tree and the
	// source take on disk (st_blocks), holes not counted.
	AllocatedBytes       int64 `json:"allocated_bytes,omitempty"`
	SourceAllocatedBytes int64 `json:"source_allocated_bytes,omitempty"`
}

func (r *Run) find(ds, sc, tool string) *Result {
	for i := range r.Results {
		x := &r.Results[i]
		if x.Dataset == ds && x.Scenario == sc && x.Tool == tool {
			return x
		}
	}
	return nil
}

// toolNames lists the tools in the results, in registry order.
func (r *Run) toolNames() []string {
	var all []string
	for _, t := range tools {
		all = append(all, t.name)
	}
	return r.present(all, func(x Result) string { return x.Tool })
}

// scenarioNames lists the scenarios in the results, in run order.
func (r *Run) scenarioNames() []string {
	var all []string
	for _, sc := range scenarios {
		all = append(all, sc.name)
	}
	return r.present(all, func(x Result) string { return x.Scenario })
}

// present keeps the names some result has as its key.
func (r *Run) present(names []string, key func(Result) string) []string {
	var out []string
	for _, n := range names {
		if slices.ContainsFunc(r.Results, func(x Result) bool { return key(x) == n }) {
			out = append(out, n)
		}
	}
	return out
}

// measurements renders what each tool measured, header first: one row per
// dataset and scenario, each cell the tools' figures in toolNames order.
func (r *Run) measurements() [][]string {
	names := r.toolNames()
	per := func(ds, sc string, f func(*Result) string) string {
		var parts []string
		seen := false
		for _, t := range names {
			x := r.find(ds, sc, t)
			if x == nil {
				parts = append(parts, "-")
				continue
			}
			v := f(x)
			seen = seen || v != "-"
			parts = append(parts, v)
		}
		if !seen {
			return "-"
		}
		return strings.Join(parts, " / ")
	}
	// allocated: only in runs with a sparse dataset, only its restores
	sparse := slices.ContainsFunc(r.Results, func(x Result) bool { return x.AllocatedBytes > 0 })
	head := []string{"dataset", "scenario", "wall s", "CPU s", "peak RSS MiB", "stored", "requests"}
	if sparse {
		head = append(head, "allocated (source)")
	}
	out := [][]string{head}
	for _, d := range r.Datasets {
		for _, sc := range r.scenarioNames() {
			row := []string{d.Name, sc,
				per(d.Name, sc, func(x *Result) string { return fmt.Sprintf("%.2f", x.WallSec) }),
				per(d.Name, sc, func(x *Result) string { return fmt.Sprintf("%.2f", x.CPUSec) }),
				per(d.Name, sc, func(x *Result) string { return fmt.Sprintf("%.0f", x.PeakRSSMiB) }),
				per(d.Name, sc, func(x *Result) string {
					if x.StoredBytes < 0 {
						return "-"
					}
					return human(x.StoredBytes)
				}),
				per(d.Name, sc, func(x *Result) string {
					if x.Requests < 0 {
						return "-"
					}
					return fmt.Sprint(x.Requests)
				}),
			}
			if sparse {
				row = append(row, allocatedCell(d.Name, sc, per))
			}
			out = append(out, row)
		}
	}
	return out
}

// allocatedCell is each tool's allocated bytes after a restore of a sparse
// dataset, then the source's in parentheses.
func allocatedCell(ds, sc string, per func(ds, sc string, f func(*Result) string) string) string {
	var src int64
	cell := per(ds, sc, func(x *Result) string {
		if x.AllocatedBytes <= 0 {
			return "-"
		}
		if src == 0 {
			src = x.SourceAllocatedBytes // the same tree for every tool
		}
		return human(x.AllocatedBytes)
	})
	if src > 0 {
		cell += " (" + human(src) + ")"
	}
	return cell
}

// ratios renders savepoint's ratio to each peer beside its target, header
// first: one column per target that applies somewhere in the run, blank
// where it does not apply.
func (r *Run) ratios() [][]string {
	var cols []target
	for _, t := range targets {
		if slices.ContainsFunc(r.checks(), func(c check) bool { return c.target.String() == t.String() }) {
			cols = append(cols, t)
		}
	}
	head := []string{"dataset", "scenario"}
	for _, t := range cols {
		head = append(head, t.String())
	}
	out := [][]string{head}
	for _, d := range r.Datasets {
		for _, sc := range r.scenarioNames() {
			row := []string{d.Name, sc}
			for _, t := range cols {
				c, ok := r.check(d.Name, sc, t)
				if !ok {
					row = append(row, "")
					continue
				}
				row = append(row, c.cell())
			}
			out = append(out, row)
		}
	}
	return out
}

// summary counts the targets met and lists the misses.
func (r *Run) summary() (met int, misses []check) {
	for _, c := range r.checks() {
		if c.met() {
			met++
		} else {
			misses = append(misses, c)
		}
	}
	return met, misses
}

func (r *Run) versionLine() string {
	var vs []string
	for _, t := range r.toolNames() {
		if v := r.Versions[t]; v != "" {
			vs = append(vs, t+" "+v)
		}
	}
	return strings.Join(vs, "; ")
}

func printReport(w io.Writer, r *Run) {
	fmt.Fprintf(w, "\n%s repositories, scale %g, %d CPUs, load average %s -> %s%s, %.0f s in all\n",
		r.Backend, r.Scale, r.CPUs, r.LoadBefore, r.LoadAfter, r.pressure(), r.TotalSec)
	fmt.Fprintf(w, "versions: %s\n", r.versionLine())
	fmt.Fprintf(w, "\neach cell: %s\n", strings.Join(r.toolNames(), " / "))
	printAligned(w, r.measurements())
	met, misses := r.summary()
	if met+len(misses) == 0 {
		return
	}
	fmt.Fprintf(w, "\nsavepoint's ratio to a peer (or that of the tool a target names first), target beside it (ratio <= target)\n")
	printAligned(w, r.ratios())
	fmt.Fprintf(w, "\ntargets met: %d of %d\n", met, met+len(misses))
	for _, m := range misses {
		fmt.Fprintln(w, "  missed:", m)
	}
}

func printAligned(w io.Writer, rows [][]string) {
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], len(c))
		}
	}
	for _, row := range rows {
		var b strings.Builder
		for i, c := range row {
			fmt.Fprintf(&b, "%-*s  ", widths[i], c)
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

func markdownTable(b *strings.Builder, rows [][]string) {
	for i, row := range rows {
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
		if i == 0 {
			b.WriteString(strings.Repeat("|---", len(row)) + "|\n")
		}
	}
}

func (r *Run) markdown(chart string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Repositories: %s. ", r.Backend)
	fmt.Fprintf(&b, "Run %s, scale %g (%s), %d CPUs, load average %s before and %s after%s (other jobs share the machine), %.0f s in all.\n",
		r.Date, r.Scale, r.datasetSummary(), r.CPUs, r.LoadBefore, r.LoadAfter, r.pressure(), r.TotalSec)
	fmt.Fprintf(&b, "Versions: %s.\n\n", r.versionLine())
	fmt.Fprintf(&b, "Each cell lists %s.\n\n", strings.Join(r.toolNames(), " / "))
	markdownTable(&b, r.measurements())
	if met, misses := r.summary(); met+len(misses) > 0 {
		fmt.Fprintf(&b, "\nsavepoint's ratio to a peer (or that of the tool a target names first), with the target in the column head (the ratio at most the target): %d of %d targets met.\n\n", met, met+len(misses))
		markdownTable(&b, r.ratios())
		if len(misses) > 0 {
			b.WriteString("\nMissed:\n")
			for _, m := range misses {
				fmt.Fprintf(&b, "- %s\n", m)
			}
		}
	}
	fmt.Fprintf(&b, "\n![wall time per scenario](%s)\n", chart)
	return b.String()
}

func (r *Run) datasetSummary() string {
	var parts []string
	for _, d := range r.Datasets {
		parts = append(parts, fmt.Sprintf("%s %d files %s", d.Name, d.Files, human(d.Bytes)))
	}
	return strings.Join(parts, "; ")
}

// pressure describes the CPU pressure around the run, if recorded.
func (r *Run) pressure() string {
	if r.PressureBefore == "" {
		return ""
	}
	return fmt.Sprintf(", tasks waiting for a CPU %s of the minute before and %s of the minute after", r.PressureBefore, r.PressureAfter)
}

func cpus() int { return runtime.NumCPU() }

// cpuPressure is the kernel's "some avg60" CPU pressure: the share of the
// last minute in which a runnable task waited for a CPU.
func cpuPressure() string {
	b, err := os.ReadFile("/proc/pressure/cpu")
	if err != nil {
		return ""
	}
	for _, f := range strings.Fields(string(b)) {
		if v, ok := strings.CutPrefix(f, "avg60="); ok {
			return v + "%"
		}
	}
	return ""
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
