package jobs

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/savepoint-ci/savepoint/core/capture"
	"github.com/savepoint-ci/savepoint/core/forget"
	"github.com/savepoint-ci/savepoint/core/retention"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// Spec is what a job is asked to do. Fields apply to the kinds their
// documentation names; the others must be left empty.
type Spec struct {
	Kind Kind `json:"kind" enum:"save,verify,forget,prune,restore,sync"`

	// save
	Paths      []string  `json:"paths,omitempty" doc:"save: absolute paths of files or directories on the server host"`
	Commands   []Command `json:"commands,omitempty" doc:"save: commands whose standard output is stored, each a source NAME and the COMMAND that writes it"`
	Name       string    `json:"name,omitempty" doc:"save: the snapshot's name; forget, prune with keep, sync: only snapshots with this name"`
	Tags       []string  `json:"tags,omitempty" doc:"save: tags"`
	Excludes   []string  `json:"excludes,omitempty" doc:"save: exclude patterns"`
	Checkpoint bool      `json:"checkpoint,omitempty" doc:"save: mark the snapshot as a checkpoint (needs a name)"`

	// verify
	ReadData       bool    `json:"read_data,omitempty" doc:"verify: read every pack"`
	ReadDataSubset float64 `json:"read_data_subset,omitempty" minimum:"0" maximum:"1" doc:"verify: read this share of the packs, chosen at random"`

	// forget, prune
	Keep   *Keep `json:"keep,omitempty" doc:"forget: the retention policy (required); prune: forget by it first; sync: forget by it after the pull"`
	DryRun bool  `json:"dry_run,omitempty" doc:"forget, prune: decide and report, change nothing"`
	// prune
	Grace     string   `json:"grace,omitempty" doc:"prune: never delete unused data younger than this (default 24h)"`
	MaxUnused *float64 `json:"max_unused,omitempty" minimum:"0" maximum:"1" doc:"prune: repack packs with more than this share unused (default 0.1)"`

	// restore
	Snapshot string   `json:"snapshot,omitempty" doc:"restore: an ID prefix, latest or NAME:latest"`
	Target   string   `json:"target,omitempty" doc:"restore: absolute path of the directory on the server host"`
	Includes []string `json:"includes,omitempty" doc:"restore: only paths matching these patterns"`

	// sync (sync.go)
	From SyncSource `json:"from,omitzero" doc:"sync: the source repository on another savepoint server"`
	// Latest and All say which snapshots a sync pulls (one of them).
	Latest int  `json:"latest,omitempty" minimum:"0" doc:"sync: the newest K snapshots of each name (of name, when given)"`
	All    bool `json:"all,omitempty" doc:"sync: every snapshot (of name, when given)"`
}

// Command is a command source of a save job.
type Command struct {
	Name    string `json:"name" doc:"Source name"`
	Command string `json:"command" doc:"Run with sh -c on the server host"`
}

// Keep is a retention policy: which snapshots forget keeps (docs/cli.md,
// forget). At least one rule must be given.
type Keep struct {
	Last    int    `json:"last,omitempty" minimum:"0"`
	Hourly  int    `json:"hourly,omitempty" minimum:"0"`
	Daily   int    `json:"daily,omitempty" minimum:"0"`
	Weekly  int    `json:"weekly,omitempty" minimum:"0"`
	Monthly int    `json:"monthly,omitempty" minimum:"0"`
	Yearly  int    `json:"yearly,omitempty" minimum:"0"`
	Within  string `json:"within,omitempty" doc:"Keep everything taken within this duration of the newest (e.g. 7d)"`
}

// policy is k as the retention package's policy.
func (k Keep) policy() (retention.Policy, error) {
	p := retention.Policy{Last: k.Last, Hourly: k.Hourly, Daily: k.Daily, Weekly: k.Weekly, Monthly: k.Monthly, Yearly: k.Yearly}
	if k.Within != "" {
		d, err := retention.ParseDuration(k.Within)
		if err != nil || d <= 0 {
			return p, fmt.Errorf("keep.within %q: give a duration such as 7d: %w", k.Within, storage.ErrInvalid)
		}
		p.Within = d
	}
	return p, nil
}

// forgetOptions is the forget half of a forget job, or of a prune job with
// a retention policy.
func (s Spec) forgetOptions() (forget.Options, error) {
	p, err := s.Keep.policy()
	return forget.Options{Policy: p, Name: s.Name, DryRun: s.DryRun}, err
}

// Check says what is wrong with s, one line wrapping storage.ErrInvalid.
func (s Spec) Check() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s job: %s: %w", s.Kind, fmt.Sprintf(format, a...), storage.ErrInvalid)
	}
	switch s.Kind {
	case KindSave:
		if len(s.Paths) == 0 && len(s.Commands) == 0 {
			return bad("give paths or commands")
		}
		for _, p := range s.Paths {
			if !filepath.IsAbs(p) {
				return bad("path %q is not absolute (paths are on the server host)", p)
			}
		}
		names := map[string]bool{}
		for _, c := range s.Commands {
			if err := capture.ValidName(c.Name); err != nil {
				return bad("%v", err)
			}
			if names[c.Name] || c.Command == "" {
				return bad("command %q: give each source a distinct name and a command", c.Name)
			}
			names[c.Name] = true
		}
		if s.Checkpoint && s.Name == "" {
			return bad("a checkpoint needs a name")
		}
	case KindVerify:
		if s.ReadDataSubset < 0 || s.ReadDataSubset > 1 {
			return bad("read_data_subset must be within 0 and 1")
		}
	case KindForget:
		if s.Keep == nil {
			return bad("give keep, the retention policy")
		}
	case KindPrune:
	case KindRestore:
		if s.Snapshot == "" || !filepath.IsAbs(s.Target) {
			return bad("give snapshot and an absolute target directory on the server host")
		}
	case KindSync:
		if err := s.checkSync(); err != nil {
			return bad("%v", err)
		}
	default:
		return fmt.Errorf("unknown job kind %q (save, verify, forget, prune, restore, sync): %w", s.Kind, storage.ErrInvalid)
	}
	if s.Keep != nil {
		if _, err := s.forgetOptions(); err != nil {
			return err
		}
	}
	if s.Grace != "" {
		if d, err := retention.ParseDuration(s.Grace); err != nil || d <= 0 {
			return bad("grace %q: give a positive duration such as 24h", s.Grace)
		}
	}
	return nil
}

// grace is the prune grace period s asks for (0: prune's default).
func (s Spec) grace() time.Duration {
	d, _ := retention.ParseDuration(s.Grace)
	return d
}

// String says the policy as a person reads it: "keep 14 daily, 8 weekly".
func (k Keep) String() string {
	var parts []string
	for _, r := range []struct {
		n    int
		unit string
	}{{k.Last, "last"}, {k.Hourly, "hourly"}, {k.Daily, "daily"}, {k.Weekly, "weekly"}, {k.Monthly, "monthly"}, {k.Yearly, "yearly"}} {
		if r.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", r.n, r.unit))
		}
	}
	if k.Within != "" {
		parts = append(parts, "all within "+k.Within)
	}
	if len(parts) == 0 {
		return "keep nothing"
	}
	return "keep " + strings.Join(parts, ", ")
}
