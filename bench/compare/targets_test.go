//go:build unix

package main

import (
	"strings"
	"testing"
)

func testRun() *Run {
	r := &Run{Backend: "local", Datasets: []Dataset{{Name: "source", Files: 3, Bytes: 100}}}
	add := func(sc, tool string, wall, rss float64, stored int64) {
		r.Results = append(r.Results, Result{Dataset: "source", Scenario: sc, Tool: tool,
			WallSec: wall, CPUSec: wall / 4, PeakRSSMiB: rss, StoredBytes: stored, Requests: -1})
	}
	add("cold", "savepoint", 4, 100, 120)
	add("cold", "restic", 10, 90, 100)
	r.find("source", "cold", "restic").CPUSec = 5 // savepoint's 1 s is 0.20x
	add("cold", "kopia", 5, 150, 110)
	add("cold", "tar+zstd", 3, 60, 100)
	add("restore", "savepoint", 1, 50, -1)
	add("restore", "restic", 3, 60, -1)
	add("restore", "kopia", 2, 70, -1)
	add("restore", "tar+zstd", 1, 5, -1)
	return r
}

func TestChecksApplyTargetsPerScenario(t *testing.T) {
	r := testRun()
	got := map[string]string{}
	for _, c := range r.checks() {
		got[c.scenario+" "+c.target.String()] = c.cell()
	}
	want := map[string]string{
		"cold wall / restic <= 0.5x":      "0.40x met (CPU 0.20x)",
		"cold wall / tar+zstd <= 1x":      "1.33x MISSED (CPU 1.33x)",
		"cold stored / restic <= 1x":      "1.20x MISSED",
		"cold stored / tar+zstd <= 1.15x": "1.20x MISSED",
		"cold RSS / restic <= 1x":         "1.11x MISSED",
		"restore wall / restic <= 0.5x":   "0.33x met (CPU 0.33x)",
		"restore RSS / restic <= 1x":      "0.83x met",
	}
	if len(got) != len(want) {
		t.Errorf("got %d checks %v, want %d", len(got), got, len(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
	met, misses := r.summary()
	if met != 3 || len(misses) != 4 {
		t.Errorf("summary: %d met, %d missed; want 3 and 4", met, len(misses))
	}
}

func TestReportShowsEveryToolAndRatio(t *testing.T) {
	r := testRun()
	md := r.markdown("bench/chart.svg")
	for _, s := range []string{
		"Each cell lists savepoint / restic / kopia / tar+zstd.",
		"| source | cold | 4.00 / 10.00 / 5.00 / 3.00 |",
		"| wall / restic <= 0.5x | wall / tar+zstd <= 1x |",
		"| source | restore | 0.33x met (CPU 0.33x) |  |  |  | 0.83x met |",
		"3 of 7 targets met",
		"- source cold: savepoint stored 0.1 KiB vs restic 0.1 KiB = 1.20x (target <= 1x)",
	} {
		if !strings.Contains(md, s) {
			t.Errorf("markdown lacks %q:\n%s", s, md)
		}
	}
	var out strings.Builder
	printReport(&out, r)
	if !strings.Contains(out.String(), "targets met: 3 of 7") || !strings.Contains(out.String(), "1.33x MISSED") {
		t.Errorf("terminal report:\n%s", out.String())
	}
}

func TestTargetWithAnotherSubject(t *testing.T) {
	defer func(old []target) { targets = old }(targets)
	targets = []target{{subject: "kopia", metric: wallTime, peer: "restic", max: 0.5, scenarios: []string{"cold"}}}
	cs := testRun().checks()
	if len(cs) != 1 {
		t.Fatalf("got %d checks, want 1", len(cs))
	}
	if got, want := cs[0].target.String()+": "+cs[0].cell(), "kopia wall / restic <= 0.5x: 0.50x met (CPU 0.25x)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestAllocatedAgainstTheSource(t *testing.T) {
	r := &Run{Backend: "local", Datasets: []Dataset{{Name: "image", Files: 1, Bytes: 1 << 30}}}
	add := func(sc, tool string, wall float64, alloc int64) {
		r.Results = append(r.Results, Result{Dataset: "image", Scenario: sc, Tool: tool, WallSec: wall,
			CPUSec: wall, PeakRSSMiB: 50, StoredBytes: -1, Requests: -1, AllocatedBytes: alloc, SourceAllocatedBytes: 15 << 20})
	}
	add("restore", "savepoint", 1, 30<<20) // 30 MiB of a 15 MiB source: 2x
	add("restore", "restic", 4, 20<<20)
	var got []string
	for _, c := range r.checks() {
		got = append(got, c.target.String()+": "+c.cell())
	}
	want := []string{"wall / restic <= 0.5x: 0.25x met (CPU 0.25x)", "RSS / restic <= 1x: 1.00x met",
		"allocated / the source <= 1.2x: 2.00x MISSED"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("checks:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	md := r.markdown("bench/chart.svg")
	for _, s := range []string{
		"| dataset | scenario | wall s | CPU s | peak RSS MiB | stored | requests | allocated (source) |",
		"| image | restore | 1.00 / 4.00 | 1.00 / 4.00 | 50 / 50 | - | - | 30.0 MiB / 20.0 MiB (15.0 MiB) |",
		"- image restore: savepoint allocated 30.0 MiB vs the source 15.0 MiB = 2.00x (target <= 1.2x)",
	} {
		if !strings.Contains(md, s) {
			t.Errorf("markdown lacks %q:\n%s", s, md)
		}
	}
}

func TestServerAgainstLocal(t *testing.T) {
	r := &Run{Backend: "server", Datasets: []Dataset{{Name: "dump", Files: 1, Bytes: 100}}}
	for _, x := range []Result{
		{Tool: "savepoint", Scenario: "cold", WallSec: 2, CPUSec: 2},
		{Tool: "savepoint-server", Scenario: "cold", WallSec: 2.2, CPUSec: 2},
		{Tool: "savepoint", Scenario: "restore", WallSec: 1, CPUSec: 1},
		{Tool: "savepoint-server", Scenario: "restore", WallSec: 1.5, CPUSec: 1},
	} {
		x.Dataset, x.StoredBytes, x.Requests = "dump", -1, -1
		r.Results = append(r.Results, x)
	}
	var out strings.Builder
	printReport(&out, r)
	for _, s := range []string{
		"each cell: savepoint / savepoint-server",
		"savepoint-server wall / savepoint <= 1.2x",
		"dump     cold      1.10x met (CPU 1.00x)",
		"dump     restore   1.50x MISSED (CPU 1.00x)",
		"targets met: 1 of 2",
	} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("report lacks %q:\n%s", s, out.String())
		}
	}
}
