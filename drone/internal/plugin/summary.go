package plugin

import (
	"encoding/json"
	"fmt"
	"io"
)

// summarize prints a few lines about the CLI's JSON output; the whole of it
// is in result.json.
func summarize(w io.Writer, command string, out json.RawMessage) {
	if len(out) == 0 {
		return
	}
	var v map[string]any
	if json.Unmarshal(out, &v) != nil {
		fmt.Fprintf(w, "%s\n", out)
		return
	}
	num := func(m map[string]any, k string) int64 {
		f, _ := m[k].(float64)
		return int64(f)
	}
	switch command {
	case "save", "checkpoint":
		st, _ := v["stats"].(map[string]any)
		kind := "snapshot"
		if c, _ := v["checkpoint"].(bool); c {
			kind = "checkpoint"
		}
		fmt.Fprintf(w, "saved %s %v", kind, v["short_id"])
		if n, ok := v["name"].(string); ok && n != "" {
			fmt.Fprintf(w, " (%s)", n)
		}
		fmt.Fprintf(w, ": %d files (%d unchanged), %d bytes scanned, %d new, %d stored\n",
			num(st, "files"), num(st, "files_unchanged"), num(st, "bytes_scanned"), num(st, "bytes_new"), num(st, "bytes_stored"))
	case "restore":
		r, _ := v["result"].(map[string]any)
		id, _ := v["snapshot"].(string)
		if len(id) > 8 {
			id = id[:8]
		}
		fmt.Fprintf(w, "restored snapshot %s into %v: %d files, %d directories, %d bytes\n",
			id, v["target"], num(r, "files"), num(r, "dirs"), num(r, "bytes"))
	default:
		b, _ := json.MarshalIndent(v, "", "  ")
		fmt.Fprintf(w, "%s\n", b)
	}
}
