package main

import (
	"fmt"
	"strings"

	"github.com/savepoint-ci/savepoint/core/cli"
	"github.com/savepoint-ci/savepoint/core/tree"
)

// maxChanges bounds the changed paths listed in a summary (the summary
// file is limited to 1 MiB per step).
const maxChanges = 100

// actionRef is how the examples in the summary refer to this action.
const actionRef = "savepoint-ci/savepoint@v1"

func saveSummary(c *config, s *cli.SnapshotJSON, changes []tree.Change, diffOK bool, prov map[string]string) string {
	var b strings.Builder
	kind := "snapshot"
	if s.Checkpoint {
		kind = "checkpoint"
	}
	fmt.Fprintf(&b, "### savepoint: saved %s `%s`", kind, s.ShortID)
	if s.Name != "" {
		fmt.Fprintf(&b, " (%s)", mdText(s.Name))
	}
	b.WriteString("\n\n| | |\n|---|---|\n")
	st := s.Stats
	row := func(k, v string) { fmt.Fprintf(&b, "| %s | %s |\n", k, v) }
	row("Files", fmt.Sprintf("%d (%d unchanged, not read)", st.Files, st.FilesUnchanged))
	row("Directories", fmt.Sprint(st.Dirs))
	row("Bytes scanned", cli.BytesHuman(st.BytesScanned))
	row("New bytes", fmt.Sprintf("%s (stored %s)", cli.BytesHuman(st.BytesNew), cli.BytesHuman(st.BytesStored)))
	row("Dedup ratio", fmt.Sprintf("%.2f", s.DedupRatio))
	row("Duration", fmt.Sprintf("%.2f s", st.DurationSec))
	row("Requests", cli.RequestsHuman(st.Requests))
	for _, src := range s.Sources {
		switch src.Kind {
		case "image":
			row("Image "+mdText(src.Name), fmt.Sprintf("`%s@%s`", mdCode(src.Image), mdCode(src.Digest)))
		default:
			row(mdText(src.Kind+" "+src.Name), cli.BytesHuman(int64(src.Size)))
		}
	}
	if st.Errors > 0 {
		row("Errors", fmt.Sprintf("%d (the snapshot is partial)", st.Errors))
	}
	b.WriteString("\n")
	switch {
	case s.Parent == "":
		b.WriteString("**Changes:** first snapshot of these paths (no parent).\n\n")
	case !diffOK:
		fmt.Fprintf(&b, "**Changes since `%s`:** could not be listed.\n\n", shortID(s.Parent))
	default:
		writeChanges(&b, shortID(s.Parent), changes)
	}
	writeProvenance(&b, prov)
	writeRestoreHowTo(&b, c, s.ShortID)
	return b.String()
}

func writeChanges(b *strings.Builder, parent string, changes []tree.Change) {
	counts := map[string]int{}
	for _, d := range changes {
		counts[d.Change]++
	}
	fmt.Fprintf(b, "**Changes since `%s`:** %d added, %d removed, %d modified, %d metadata only\n\n",
		parent, counts["+"], counts["-"], counts["M"], counts["m"])
	if len(changes) == 0 {
		return
	}
	fmt.Fprintf(b, "<details><summary>Changed paths (%d)</summary>\n\n```\n", len(changes))
	for i, d := range changes {
		if i == maxChanges {
			fmt.Fprintf(b, "... and %d more\n", len(changes)-maxChanges)
			break
		}
		fmt.Fprintf(b, "%s %s\n", d.Change, mdCode(d.Path))
	}
	b.WriteString("```\n</details>\n\n")
}

func writeProvenance(b *strings.Builder, p map[string]string) {
	if len(p) == 0 {
		return
	}
	var parts []string
	if v := p["commit"]; v != "" {
		parts = append(parts, fmt.Sprintf("commit `%s`", mdCode(shortID(v))))
	}
	if v := p["ref"]; v != "" {
		parts = append(parts, fmt.Sprintf("ref `%s`", mdCode(v)))
	}
	if v := p["run_url"]; v != "" {
		parts = append(parts, fmt.Sprintf("[run %s](%s)", mdText(p["run_id"]), v))
	}
	if v := p["actor"]; v != "" {
		parts = append(parts, "by "+mdText(v))
	}
	if len(parts) > 0 {
		fmt.Fprintf(b, "**Provenance:** %s\n\n", strings.Join(parts, " · "))
	}
}

func writeRestoreHowTo(b *strings.Builder, c *config, short string) {
	b.WriteString("**Restore** it in a workflow:\n\n```yaml\n")
	fmt.Fprintf(b, "- uses: %s\n  with:\n    command: restore\n    repository: %s\n    snapshot: %s\n", actionRef, yamlScalar(c.repository), short)
	if c.password != "" {
		b.WriteString("    password: ${{ secrets.SAVEPOINT_PASSWORD }}\n")
	}
	b.WriteString("```\n\nor from a shell: ")
	fmt.Fprintf(b, "`savepoint restore --repo %s --target DIR %s`\n", mdCode(c.repository), short)
}

func restoreSummary(c *config, r *restoreResult, why string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### savepoint %s: snapshot `%s` into `%s`\n\n| | |\n|---|---|\n", mdText(why), shortID(r.Snapshot), mdCode(r.Target))
	res := r.Result
	fmt.Fprintf(&b, "| Files | %d |\n| Directories | %d |\n| Symlinks | %d |\n", res.Files, res.Dirs, res.Symlinks)
	fmt.Fprintf(&b, "| Bytes | %s |\n| Duration | %.2f s |\n| Requests | %s |\n", cli.BytesHuman(res.Bytes), res.DurationSec, cli.RequestsHuman(res.Requests))
	if len(res.Refused) > 0 {
		fmt.Fprintf(&b, "| Refused | %d entries (see the log) |\n", len(res.Refused))
	}
	return b.String()
}

func snapshotsSummary(c *config, list []cli.SnapshotJSON) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### savepoint: %d snapshot(s)\n\n", len(list))
	if len(list) == 0 {
		return b.String()
	}
	b.WriteString("| ID | Time | Name | Tags | Paths | Size |\n|---|---|---|---|---|---|\n")
	for _, s := range list {
		name := s.Name
		if s.Checkpoint {
			name += " (checkpoint)"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s |\n", s.ShortID, s.Time.UTC().Format("2006-01-02 15:04:05Z"),
			mdText(name), mdText(strings.Join(s.Tags, ", ")), mdText(strings.Join(s.Paths, " ")), cli.BytesHuman(s.Stats.BytesScanned))
	}
	return b.String()
}

func genericSummary(command, out string, code int) string {
	status := "done"
	if code != cli.ExitOK {
		status = fmt.Sprintf("failed (exit status %d)", code)
	}
	s := fmt.Sprintf("### savepoint %s: %s\n\n", command, status)
	if out != "" {
		s += "<details><summary>Output</summary>\n\n```json\n" + strings.ReplaceAll(out, "```", "'''") + "\n```\n</details>\n"
	}
	return s
}

// mdText escapes text for a Markdown table cell.
func mdText(s string) string {
	r := strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;", "`", "'")
	return r.Replace(s)
}

// mdCode keeps text inside a code span or block.
func mdCode(s string) string {
	return strings.NewReplacer("`", "'", "\n", " ").Replace(s)
}

// yamlScalar quotes a value for the YAML example when needed.
func yamlScalar(s string) string {
	if s == "" || strings.ContainsAny(s, ":#{}[]&*!|>'\"%@`,") || strings.TrimSpace(s) != s {
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	return s
}
