package snapshot

import "time"

// Summary is the JSON form of a snapshot that the CLI prints (--json,
// docs/json.md) and the server's API serves: the stored fields with its
// ID spelled out and the dedup ratio computed.
type Summary struct {
	ID         string            `json:"id"`
	ShortID    string            `json:"short_id"`
	Time       time.Time         `json:"time"`
	Hostname   string            `json:"hostname"`
	Name       string            `json:"name,omitempty"`
	Tags       []string          `json:"tags,omitempty"`
	Paths      []string          `json:"paths,omitempty"`
	Tree       string            `json:"tree,omitempty"`
	Parent     string            `json:"parent,omitempty"`
	Original   string            `json:"original,omitempty"` // the snapshot this one copies (savepoint copy)
	Checkpoint bool              `json:"checkpoint,omitempty"`
	Partial    bool              `json:"partial,omitempty"`
	Provenance map[string]string `json:"provenance,omitempty"`
	Sources    []Source          `json:"sources,omitempty"`
	Stats      Stats             `json:"stats"`
	DedupRatio float64           `json:"dedup_ratio"`
	Repaired   *Repair           `json:"repaired,omitempty"`
}

// Summarize returns s in its JSON form.
func Summarize(s *Snapshot) Summary {
	j := Summary{
		ID: s.ID.String(), ShortID: s.ID.Short(), Time: s.Time, Hostname: s.Hostname, Name: s.Name,
		Tags: s.Tags, Paths: s.Paths, Checkpoint: s.Checkpoint, Partial: s.Partial,
		Provenance: s.Provenance, Sources: s.Sources, Stats: s.Stats, DedupRatio: Round2(s.Stats.DedupRatio()),
		Repaired: s.Repaired,
	}
	if s.Tree != nil {
		j.Tree = s.Tree.String()
	}
	if s.Parent != nil {
		j.Parent = s.Parent.String()
	}
	if s.Original != nil {
		j.Original = s.Original.String()
	}
	return j
}

// Round2 rounds a ratio to two decimals, as it is shown.
func Round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }
