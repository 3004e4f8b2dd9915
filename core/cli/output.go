package cli

import (
	"encoding/json"
	"fmt"
	"io"

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
type SnapshotJSON = snapshot.Summary

// ToJSON converts a snapshot to its JSON form.
func ToJSON(s *snapshot.Snapshot) SnapshotJSON { return snapshot.Summarize(s) }

func round2(f float64) float64 { return snapshot.Round2(f) }

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
