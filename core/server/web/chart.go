package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"time"

	"github.com/savepoint-ci/savepoint/core/retention"
	"github.com/savepoint-ci/savepoint/core/server/repos"
)

// Chart geometry, in SVG user units.
const (
	chartW, chartH           = 720, 220
	padL, padR, padT, padB   = 72, 16, 12, 28
	plotW, plotH             = chartW - padL - padR, chartH - padT - padB
	chartTicksX, chartTicksY = 4, 4
)

// chart draws stored bytes over time as an inline SVG: a step line (the
// figure holds until the next sample), the area under it, axes with
// sizes and dates. Rendered on the server: no script, no library.
func chart(samples []repos.Sample, from, to time.Time) template.HTML {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="stored bytes over time">`, chartW, chartH)
	if len(samples) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="empty">no samples yet</text></svg>`, chartW/2, chartH/2)
		return template.HTML(b.String())
	}
	var top int64
	for _, s := range samples {
		top = max(top, s.StoredBytes)
	}
	top = niceCeil(top)
	span := to.Sub(from).Seconds()
	x := func(t time.Time) float64 {
		return padL + plotW*math.Max(0, math.Min(1, t.Sub(from).Seconds()/span))
	}
	y := func(n int64) float64 { return padT + plotH*(1-float64(n)/float64(top)) }
	// Grid and the size axis.
	for i := 0; i <= chartTicksY; i++ {
		v := top * int64(i) / chartTicksY
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, padL, padL+plotW, y(v), y(v))
		fmt.Fprintf(&b, `<text class="axis" x="%d" y="%.1f" text-anchor="end">%s</text>`, padL-6, y(v)+4, retention.FormatSize(v))
	}
	// The time axis: days, or hours for a short span.
	layout := "Jan 2"
	if to.Sub(from) < 72*time.Hour {
		layout = "Jan 2 15:04"
	}
	for i := 0; i <= chartTicksX; i++ {
		t := from.Add(time.Duration(float64(to.Sub(from)) * float64(i) / chartTicksX))
		anchor := "middle"
		switch i {
		case 0:
			anchor = "start"
		case chartTicksX:
			anchor = "end"
		}
		fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%d" text-anchor="%s">%s</text>`, x(t), chartH-8, anchor, t.UTC().Format(layout))
	}
	// The step line and its area.
	var pts []string
	prevY := y(samples[0].StoredBytes)
	for i, s := range samples {
		px, py := x(s.At), y(s.StoredBytes)
		if i > 0 {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px, prevY))
		}
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", px, py))
		prevY = py
	}
	end := x(to)
	pts = append(pts, fmt.Sprintf("%.1f,%.1f", end, prevY))
	first := x(samples[0].At)
	fmt.Fprintf(&b, `<polygon class="area" points="%.1f,%d %s %.1f,%d"/>`, first, padT+plotH, strings.Join(pts, " "), end, padT+plotH)
	fmt.Fprintf(&b, `<polyline class="line" points="%s"/>`, strings.Join(pts, " "))
	for _, s := range samples {
		fmt.Fprintf(&b, `<circle class="dot" cx="%.1f" cy="%.1f" r="2.5"><title>%s: %s, %d snapshots</title></circle>`,
			x(s.At), y(s.StoredBytes), s.At.UTC().Format("2006-01-02 15:04 UTC"), retention.FormatSize(s.StoredBytes), s.Snapshots)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceCeil rounds n up to 1, 2 or 5 times a power of two's worth of
// bytes, so the axis reads in round sizes (at least 1 KiB).
func niceCeil(n int64) int64 {
	unit := int64(1024)
	for unit*1024 <= n {
		unit *= 1024
	}
	for _, m := range []int64{1, 2, 4, 5, 8, 10, 20, 40, 50, 80, 100, 200, 400, 500, 800, 1000, 1024} {
		if unit*m >= n {
			return unit * m
		}
	}
	return n
}
