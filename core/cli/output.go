package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/savepoint-ci/savepoint/core/retention"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// SnapshotJSON is the JSON form of a snapshot (docs/json.md).
type SnapshotJSON struct {
	ID         string            `json:"id"`
	ShortID    string            `json:"short_id"`
	Time       time.Time         `json:"time"`
	Hostname   string            `json:"hostname"`
	Name       string            `json:"name,omitempty"`
	Tags       []string          `json:"tags,omitempty"`
	Paths      []string          `json:"paths,omitempty"`
	Tree       string            `json:"tree,omitempty"`
	Parent     string            `json:"parent,omitempty"`
	Checkpoint bool              `json:"checkpoint,omitempty"`
	Partial    bool              `json:"partial,omitempty"`
	Provenance map[string]string `json:"provenance,omitempty"`
	Sources    []snapshot.Source `json:"sources,omitempty"`
	Stats      snapshot.Stats    `json:"stats"`
	DedupRatio float64           `json:"dedup_ratio"`
}

// ToJSON converts a snapshot to its JSON form.
func ToJSON(s *snapshot.Snapshot) SnapshotJSON {
	j := SnapshotJSON{
		ID: s.ID.String(), ShortID: s.ID.Short(), Time: s.Time, Hostname: s.Hostname, Name: s.Name,
		Tags: s.Tags, Paths: s.Paths, Checkpoint: s.Checkpoint, Partial: s.Partial,
		Provenance: s.Provenance, Sources: s.Sources, Stats: s.Stats, DedupRatio: round2(s.Stats.DedupRatio()),
	}
	if s.Tree != nil {
		j.Tree = s.Tree.String()
	}
	if s.Parent != nil {
		j.Parent = s.Parent.String()
	}
	return j
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

// BytesHuman formats a byte count in binary units (entrypoints use it too).
func BytesHuman(n int64) string { return retention.FormatSize(n) }

// RequestsHuman formats request counts by kind.
func RequestsHuman(r storage.Requests) string {
	return fmt.Sprintf("%d (PUT %d, GET %d, HEAD %d, LIST %d, DELETE %d)", r.Total(), r.Put, r.Get, r.Head, r.List, r.Delete)
}

// printStats writes a snapshot's stats as aligned text.
func printStats(w io.Writer, s *snapshot.Snapshot) {
	st := s.Stats
	fmt.Fprintf(w, "  files          %d (%d unchanged, not read)\n", st.Files, st.FilesUnchanged)
	fmt.Fprintf(w, "  directories    %d\n", st.Dirs)
	fmt.Fprintf(w, "  bytes scanned  %s (read %s)\n", BytesHuman(st.BytesScanned), BytesHuman(st.BytesRead))
	fmt.Fprintf(w, "  bytes new      %s (stored %s)\n", BytesHuman(st.BytesNew), BytesHuman(st.BytesStored))
	fmt.Fprintf(w, "  dedup ratio    %.2f\n", st.DedupRatio())
	fmt.Fprintf(w, "  duration       %.2fs\n", st.DurationSec)
	fmt.Fprintf(w, "  requests       %s\n", RequestsHuman(st.Requests))
	if st.Errors > 0 {
		fmt.Fprintf(w, "  errors         %d (snapshot is partial)\n", st.Errors)
	}
}
