package plugin

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/savepoint-ci/savepoint/core/cli"
	"github.com/savepoint-ci/savepoint/internal/mask"
)

// ResultPath is where the step's result is written, relative to the
// workspace, for later steps to read.
const ResultPath = ".savepoint/result.json"

// Result is the content of .savepoint/result.json.
type Result struct {
	Command  string `json:"command"`
	ExitCode int    `json:"exit_code"`
	// Status names the exit code (statusOf).
	Status   string   `json:"status"`
	Error    string   `json:"error,omitempty"`
	Name     string   `json:"name,omitempty"`
	Snapshot string   `json:"snapshot,omitempty"` // ID of the snapshot saved, restored or rolled back to
	Time     string   `json:"time"`
	Metadata Metadata `json:"metadata"`
	Warnings []string `json:"warnings,omitempty"`
	// Output is what `savepoint --json COMMAND` printed: one JSON value, an
	// array when it printed several, a string when it printed text.
	Output json.RawMessage `json:"output,omitempty"`
}

// statuses name the exit codes in result.json (drone/docs.md).
var statuses = map[int]string{
	cli.ExitOK:            "ok",
	cli.ExitError:         "error",
	cli.ExitUsage:         "usage",
	cli.ExitPartial:       "partial",
	cli.ExitNoRepository:  "no_repository",
	cli.ExitLocked:        "locked",
	cli.ExitPassword:      "password",
	cli.ExitNoSnapshot:    "no_snapshot",
	cli.ExitAccessRefused: "access_refused",
	cli.ExitQuota:         "quota",
	cli.ExitInterrupted:   "interrupted",
}

// statusOf names an exit code; codes without a name of their own are errors.
func statusOf(code int) string {
	if s, ok := statuses[code]; ok {
		return s
	}
	return "error"
}

// outputJSON turns the CLI's stdout into one JSON value.
func outputJSON(out []byte) json.RawMessage {
	out = bytes.TrimSpace(out)
	if len(out) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	var vals []json.RawMessage
	for dec.More() {
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			vals = nil
			break
		}
		vals = append(vals, v)
	}
	if len(vals) == 1 {
		return vals[0]
	}
	if len(vals) > 1 {
		b, _ := json.Marshal(vals)
		return b
	}
	b, _ := json.Marshal(string(out))
	return b
}

// snapshotID finds the snapshot a command's output is about: saved
// ("id"), restored ("snapshot") or rolled back to ("report"/"plan").
func snapshotID(out json.RawMessage) string {
	var v obj
	if json.Unmarshal(out, &v) != nil {
		return ""
	}
	return firstNonEmpty(v.str("id"), v.str("snapshot"), v.obj("snapshot").str("id"),
		v.obj("report").str("snapshot"), v.obj("plan").str("snapshot"))
}

// write stores the result (redacted) at dir/ResultPath.
func (res *Result) write(dir string, m *mask.Masker) error {
	res.Time = time.Now().UTC().Format(time.RFC3339)
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	p := filepath.Join(dir, ResultPath)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, append(m.Bytes(b), '\n'), 0o644)
}
