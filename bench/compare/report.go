package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Run is one comparison, as written to docs/bench/results.json.
type Run struct {
	Date       string            `json:"date"`
	Scale      float64           `json:"scale"`
	Backend    string            `json:"backend"` // local or minio (tar+zstd always writes a local file)
	CPUs       int               `json:"cpus"`
	LoadBefore string            `json:"load_before"`
	LoadAfter  string            `json:"load_after"`
	TotalSec   float64           `json:"total_seconds"`
	Versions   map[string]string `json:"versions"`
	Scenarios  map[string]string `json:"scenarios"`
	Datasets   []Dataset         `json:"datasets"`
	Results    []Result          `json:"results"`
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
	Requests    int64   `json:"requests"`     // backend requests; -1 the tool cannot tell
	// Restores of the image dataset: the space the restored tree and the
	// source take on disk (st_blocks), holes not counted.
	AllocatedBytes       int64 `json:"allocated_bytes,omitempty"`
	SourceAllocatedBytes int64 `json:"source_allocated_bytes,omitempty"`
}

var toolOrder = []string{"savepoint", "restic", "tar+zstd"}

// tools are the tools of the run's report, in order.
func (r *Run) tools() []string {
	if r.Backend == "server" {
		return serverTools
	}
	return toolOrder
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

func ratio(a, b *Result, f func(*Result) float64) string {
	if a == nil || b == nil || f(b) == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", f(a)/f(b))
}

func wall(r *Result) float64 { return r.WallSec }
func rss(r *Result) float64  { return r.PeakRSSMiB }

func cell(r *Result, f func(*Result) string) string {
	if r == nil {
		return "-"
	}
	return f(r)
}

// rows renders the results table as rows of cells, header first.
func (r *Run) rows() [][]string {
	if r.Backend == "server" {
		return r.serverRows()
	}
	out := [][]string{{"dataset", "scenario",
		"wall savepoint", "wall restic", "wall tar+zstd", "sp/restic", "sp/tar",
		"CPU s sp / restic / tar",
		"RSS MiB sp / restic / tar", "sp/restic RSS",
		"stored sp / restic / tar", "requests sp"}}
	for _, d := range r.Datasets {
		for _, sc := range scenarios {
			sp, rs, tz := r.find(d.Name, sc, "savepoint"), r.find(d.Name, sc, "restic"), r.find(d.Name, sc, "tar+zstd")
			if sp == nil && rs == nil && tz == nil {
				continue
			}
			secs := func(x *Result) string {
				return cell(x, func(x *Result) string { return fmt.Sprintf("%.2fs", x.WallSec) })
			}
			cpuS := func(x *Result) string {
				return cell(x, func(x *Result) string { return fmt.Sprintf("%.2f", x.CPUSec) })
			}
			mib := func(x *Result) string {
				return cell(x, func(x *Result) string { return fmt.Sprintf("%.0f", x.PeakRSSMiB) })
			}
			st := func(x *Result) string { return cell(x, func(x *Result) string { return human(x.StoredBytes) }) }
			req := cell(sp, func(x *Result) string {
				if x.Requests < 0 {
					return "n/a"
				}
				return fmt.Sprint(x.Requests)
			})
			out = append(out, []string{d.Name, sc, secs(sp), secs(rs), secs(tz),
				ratio(sp, rs, wall), ratio(sp, tz, wall),
				cpuS(sp) + " / " + cpuS(rs) + " / " + cpuS(tz),
				mib(sp) + " / " + mib(rs) + " / " + mib(tz), ratio(sp, rs, rss),
				st(sp) + " / " + st(rs) + " / " + st(tz), req})
		}
	}
	return out
}

// targets checks the targets and describes each miss.
func (r *Run) targets() (held int, misses []string) {
	if r.Backend == "server" {
		return r.serverTargets()
	}
	for _, d := range r.Datasets {
		for _, sc := range scenarios {
			sp, rs, tz := r.find(d.Name, sc, "savepoint"), r.find(d.Name, sc, "restic"), r.find(d.Name, sc, "tar+zstd")
			if sp == nil {
				continue
			}
			check := func(ok bool, what string) {
				if ok {
					held++
				} else {
					misses = append(misses, fmt.Sprintf("%s %s: %s", d.Name, sc, what))
				}
			}
			if rs != nil {
				check(sp.WallSec <= 0.5*rs.WallSec, fmt.Sprintf("wall %.2fx restic (target 0.5x)", sp.WallSec/rs.WallSec))
				check(sp.PeakRSSMiB <= rs.PeakRSSMiB, fmt.Sprintf("peak RSS %.0f MiB vs restic %.0f MiB", sp.PeakRSSMiB, rs.PeakRSSMiB))
			}
			if tz != nil && sc == "cold" {
				check(sp.WallSec <= tz.WallSec, fmt.Sprintf("wall %.2fx tar+zstd (target 1.0x)", sp.WallSec/tz.WallSec))
			}
		}
	}
	return held, misses
}

func printTable(w io.Writer, r *Run) {
	rows := r.rows()
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], len(c))
		}
	}
	fmt.Fprintf(w, "\nscale %g, %d CPUs, load %s -> %s, %.0fs total\n", r.Scale, r.CPUs, r.LoadBefore, r.LoadAfter, r.TotalSec)
	for _, row := range rows {
		for i, c := range row {
			fmt.Fprintf(w, "%-*s  ", widths[i], c)
		}
		fmt.Fprintln(w)
	}
	held, misses := r.targets()
	fmt.Fprintf(w, "\ntargets held: %d, missed: %d\n", held, len(misses))
	for _, m := range misses {
		fmt.Fprintln(w, "  miss:", m)
	}
}

func (r *Run) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Repositories: %s. ", r.Backend)
	fmt.Fprintf(&b, "Run %s, scale %g (%s), %d CPUs, load average %s before and %s after (other jobs share the machine), %.0f s in all.\n",
		r.Date, r.Scale, r.datasetSummary(), r.CPUs, r.LoadBefore, r.LoadAfter, r.TotalSec)
	var vs []string
	for _, k := range []string{"savepoint", "restic", "zstd", "tar"} {
		if v := r.Versions[k]; v != "" {
			vs = append(vs, k+" "+v)
		}
	}
	fmt.Fprintf(&b, "Versions: %s.\n\n", strings.Join(vs, ", "))
	rows := r.rows()
	for i, row := range rows {
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
		if i == 0 {
			b.WriteString(strings.Repeat("|---", len(row)) + "|\n")
		}
	}
	held, misses := r.targets()
	fmt.Fprintf(&b, "\nTargets held: %d; missed: %d.\n", held, len(misses))
	for _, m := range misses {
		fmt.Fprintf(&b, "- %s\n", m)
	}
	b.WriteString("\n![wall time per scenario](bench/chart.svg)\n")
	return b.String()
}

func (r *Run) datasetSummary() string {
	var parts []string
	for _, d := range r.Datasets {
		parts = append(parts, fmt.Sprintf("%s %d files %s", d.Name, d.Files, human(d.Bytes)))
	}
	return strings.Join(parts, "; ")
}

// markers of the section of docs/performance.md a run rewrites; MinIO
// runs have their own.
func markers(backend string) (string, string) {
	name := "compare"
	if backend != "local" {
		name += "-" + backend
	}
	return "<!-- " + name + ":begin (written by bench/compare; edits inside are lost) -->", "<!-- " + name + ":end -->"
}

// writeDocs writes docs/bench/results.json, docs/bench/results.md,
// docs/bench/chart.svg and the marked section of docs/performance.md.
func writeDocs(docs string, r *Run) error {
	dir := filepath.Join(docs, "bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	suffix := ""
	if r.Backend != "local" {
		suffix = "-" + r.Backend
	}
	md := strings.ReplaceAll(r.markdown(), "(bench/chart.svg)", "(bench/chart"+suffix+".svg)")
	files := map[string][]byte{
		"results" + suffix + ".json": append(js, '\n'),
		"results" + suffix + ".md":   []byte(strings.ReplaceAll(md, "(bench/chart", "(chart")),
		"chart" + suffix + ".svg":    chart(r),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	perf := filepath.Join(docs, "performance.md")
	old, err := os.ReadFile(perf)
	if err != nil {
		return fmt.Errorf("%s: %v (it holds the marked section the results go in)", perf, err)
	}
	markBegin, markEnd := markers(r.Backend)
	i, j := bytes.Index(old, []byte(markBegin)), bytes.Index(old, []byte(markEnd))
	if i < 0 || j < i {
		return fmt.Errorf("%s: markers %q and %q not found", perf, markBegin, markEnd)
	}
	var out bytes.Buffer
	out.Write(old[:i+len(markBegin)])
	out.WriteString("\n" + md)
	out.Write(old[j:])
	return os.WriteFile(perf, out.Bytes(), 0o644)
}

func cpus() int { return runtime.NumCPU() }

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

func versions(bin string) map[string]string {
	v := map[string]string{}
	first := func(name string, args ...string) string {
		out, err := exec.Command(name, args...).CombinedOutput()
		if err != nil {
			return ""
		}
		line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
		return line
	}
	v["savepoint"] = strings.TrimPrefix(first(bin, "--version"), "savepoint version ")
	if s := first("restic", "version"); s != "" {
		f := strings.Fields(s)
		if len(f) > 1 {
			v["restic"] = f[1]
		}
	}
	if s := first("zstd", "--version"); s != "" {
		f := strings.Fields(s)
		for _, x := range f {
			if strings.HasPrefix(x, "v") {
				v["zstd"] = strings.TrimSuffix(x, ",")
			}
		}
	}
	if s := first("tar", "--version"); s != "" {
		f := strings.Fields(s)
		v["tar"] = f[len(f)-1]
	}
	return v
}
