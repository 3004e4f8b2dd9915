//go:build unix

package main

import (
	"fmt"
	"math"
	"strings"
)

// chart draws wall time per scenario as grouped bars, one panel per
// dataset, in plain SVG.
func chart(r *Run) []byte {
	const (
		panelW, panelH = 440, 260
		padL, padT     = 48, 34
		plotW, plotH   = panelW - padL - 14, panelH - padT - 46
		cols           = 2
	)
	names, scs := r.toolNames(), r.scenarioNames()
	color := map[string]string{}
	for _, t := range tools {
		color[t.name] = t.color
	}
	n := len(r.Datasets)
	rows := (n + cols - 1) / cols
	width, height := cols*panelW, rows*panelH+50
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="10" y="20" font-size="14" font-weight="bold">Wall time per scenario (seconds, lower is better), %s repositories, scale %g, %s</text>`+"\n", r.Backend, r.Scale, r.Date[:10])
	for i, t := range names {
		x := 10 + i*100
		fmt.Fprintf(&b, `<rect x="%d" y="28" width="12" height="12" fill="%s"/><text x="%d" y="38">%s</text>`+"\n", x, color[t], x+16, t)
	}
	for pi, d := range r.Datasets {
		ox, oy := (pi%cols)*panelW, 50+(pi/cols)*panelH
		var top float64
		for _, x := range r.Results {
			if x.Dataset == d.Name {
				top = math.Max(top, x.WallSec)
			}
		}
		top = niceCeil(top)
		fmt.Fprintf(&b, `<g transform="translate(%d,%d)">`+"\n", ox, oy)
		fmt.Fprintf(&b, `<text x="%d" y="16" font-weight="bold">%s (%d files, %s)</text>`+"\n", padL, d.Name, d.Files, human(d.Bytes))
		for i := 0; i <= 4; i++ {
			v := top * float64(i) / 4
			y := padT + plotH - int(float64(plotH)*float64(i)/4)
			fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#ddd"/>`, padL, y, padL+plotW, y)
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", padL-4, y+4, trimFloat(v))
		}
		groupW := plotW / max(len(scs), 1)
		barW := (groupW - 12) / max(len(names), 1)
		for si, sc := range scs {
			gx := padL + si*groupW + 6
			for ti, t := range names {
				x := r.find(d.Name, sc, t)
				if x == nil || top == 0 {
					continue
				}
				h := int(math.Round(float64(plotH) * x.WallSec / top))
				fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s %s %s: %.2fs</title></rect>`+"\n",
					gx+ti*barW, padT+plotH-h, barW-1, h, color[t], d.Name, sc, t, x.WallSec)
			}
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">%s</text>`+"\n", gx+(groupW-12)/2, padT+plotH+16, sc)
		}
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333"/>`+"\n", padL, padT+plotH, padL+plotW, padT+plotH)
		b.WriteString("</g>\n")
	}
	b.WriteString("</svg>\n")
	return []byte(b.String())
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func trimFloat(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}
