package main

import (
	"encoding/json"
	"fmt"
	"strings"
)

// rollbackOutput is the part of `savepoint rollback --json` the summary
// shows: the plan, and the report of what ran (absent with --dry-run).
type rollbackOutput struct {
	Plan struct {
		Snapshot   string            `json:"snapshot"`
		Name       string            `json:"name"`
		Provenance map[string]string `json:"provenance"`
		Steps      []struct {
			Description string `json:"description"`
		} `json:"steps"`
		Notes []string `json:"notes"`
	} `json:"plan"`
	Report *struct {
		OK    bool `json:"ok"`
		Steps []struct {
			Description string  `json:"description"`
			Status      string  `json:"status"`
			Error       string  `json:"error"`
			DurationSec float64 `json:"duration_seconds"`
		} `json:"steps"`
		Notes []string `json:"notes"`
	} `json:"report"`
}

// parseRollback reads rollback's JSON; ok is false for any other shape.
func parseRollback(out []byte) (*rollbackOutput, bool) {
	var r rollbackOutput
	if err := json.Unmarshal(out, &r); err != nil || r.Plan.Snapshot == "" {
		return nil, false
	}
	return &r, true
}

func rollbackSummary(r *rollbackOutput) string {
	var b strings.Builder
	status := "plan only (dry run)"
	if r.Report != nil {
		status = "done"
		if !r.Report.OK {
			status = "FAILED"
		}
	}
	fmt.Fprintf(&b, "### savepoint rollback to `%s`", shortID(r.Plan.Snapshot))
	if r.Plan.Name != "" {
		fmt.Fprintf(&b, " (%s)", mdText(r.Plan.Name))
	}
	fmt.Fprintf(&b, ": %s\n\n", status)
	if c := r.Plan.Provenance["commit"]; c != "" {
		fmt.Fprintf(&b, "Checkpoint taken at commit `%s`", mdCode(shortID(c)))
		if u := r.Plan.Provenance["pipeline_url"]; u != "" {
			fmt.Fprintf(&b, " by [this run](%s)", u)
		}
		b.WriteString(".\n\n")
	}
	b.WriteString("| Step | Status |\n|---|---|\n")
	if r.Report != nil {
		for _, s := range r.Report.Steps {
			st := s.Status
			if s.Error != "" {
				st += ": " + s.Error
			}
			fmt.Fprintf(&b, "| %s | %s |\n", mdText(s.Description), mdText(st))
		}
	} else {
		for _, s := range r.Plan.Steps {
			fmt.Fprintf(&b, "| %s | planned |\n", mdText(s.Description))
		}
	}
	notes := r.Plan.Notes
	if r.Report != nil {
		notes = append(notes, r.Report.Notes...)
	}
	for _, n := range notes {
		fmt.Fprintf(&b, "\n> %s\n", mdText(n))
	}
	return b.String()
}
