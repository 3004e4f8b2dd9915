package plugin

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// summarize prints a line or two about the CLI's JSON output; the whole of
// it is in result.json.
func summarize(w io.Writer, command string, out json.RawMessage) {
	if len(out) == 0 {
		return
	}
	var v obj
	if json.Unmarshal(out, &v) != nil {
		return
	}
	switch command {
	case "save", "checkpoint":
		st := v.obj("stats")
		kind := "snapshot"
		if v.bool("checkpoint") {
			kind = "checkpoint"
		}
		fmt.Fprintf(w, "saved %s %s%s: %d files (%d unchanged), %d bytes scanned, %d new, %d stored\n",
			kind, v.str("short_id"), paren(v.str("name")), st.num("files"), st.num("files_unchanged"),
			st.num("bytes_scanned"), st.num("bytes_new"), st.num("bytes_stored"))
		for _, s := range v.list("sources") {
			fmt.Fprintf(w, "  %s %s: %s\n", s.str("kind"), s.str("name"), firstNonEmpty(s.str("digest"), fmt.Sprintf("%d bytes", s.num("size"))))
		}
	case "restore":
		r := v.obj("result")
		fmt.Fprintf(w, "restored snapshot %s into %s: %d files, %d directories, %d bytes\n",
			short(v.str("snapshot")), v.str("target"), r.num("files"), r.num("dirs"), r.num("bytes"))
	case "rollback":
		plan, report := v.obj("plan"), v.obj("report")
		if v.bool("dry_run") {
			fmt.Fprintf(w, "rollback plan (dry run) to %s%s:\n", short(plan.str("snapshot")), paren(plan.str("name")))
			for _, s := range plan.list("steps") {
				fmt.Fprintf(w, "  %s\n", s.str("description"))
			}
			return
		}
		fmt.Fprintf(w, "rolled back to %s%s:\n", short(firstNonEmpty(report.str("snapshot"), plan.str("snapshot"))), paren(plan.str("name")))
		for _, s := range report.list("steps") {
			fmt.Fprintf(w, "  %-8s %s\n", s.str("status"), s.str("description"))
		}
	case "forget":
		kept, drop := 0, 0
		for _, s := range v.list("snapshots") {
			if s.bool("keep") {
				kept++
			} else {
				drop++
			}
		}
		if v.bool("dry_run") {
			fmt.Fprintf(w, "forget (dry run): would keep %d, remove %d\n", kept, drop)
		} else {
			fmt.Fprintf(w, "forget: kept %d, removed %d\n", kept, drop)
		}
	case "prune":
		fmt.Fprintf(w, "prune: %d snapshots, %d packs deleted (%d bytes), %d repacked, %d scheduled for later\n",
			v.num("snapshots"), v.num("packs_deleted"), v.num("bytes_deleted"), v.num("packs_repacked"), v.num("packs_scheduled"))
	case "verify":
		fmt.Fprintf(w, "verify: %d snapshots, %d packs (%d read), %d problems\n",
			v.num("snapshots"), v.num("packs"), v.num("packs_read"), len(v.list("problems")))
		for _, p := range v.list("problems") {
			b, _ := json.Marshal(p)
			fmt.Fprintf(w, "  %s\n", b)
		}
	}
}

// obj is a JSON object with lenient accessors.
type obj map[string]any

func (o obj) str(k string) string { s, _ := o[k].(string); return s }
func (o obj) bool(k string) bool  { b, _ := o[k].(bool); return b }
func (o obj) num(k string) int64  { f, _ := o[k].(float64); return int64(f) }
func (o obj) obj(k string) obj    { m, _ := o[k].(map[string]any); return m }

func (o obj) list(k string) []obj {
	l, _ := o[k].([]any)
	out := make([]obj, 0, len(l))
	for _, x := range l {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

func paren(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return x
		}
	}
	return ""
}
