package rollback

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/savepoint-ci/savepoint/core/capture"
	"github.com/savepoint-ci/savepoint/core/snapshot"
)

// Step kinds.
const (
	StepFiles   = "files"   // restore the snapshot's files into Target
	StepCommand = "command" // pipe a stored stream into its restore command
	StepImage   = "image"   // re-point a tag to the recorded digest
)

// Step is one action of a plan.
type Step struct {
	Kind         string   `json:"kind"`
	Description  string   `json:"description"`
	Source       string   `json:"source,omitempty"`  // source name (command, image)
	Paths        []string `json:"paths,omitempty"`   // files: the snapshot's paths
	Target       string   `json:"target,omitempty"`  // files: where they go
	Command      string   `json:"-"`                 // command: run verbatim
	CommandShown string   `json:"command,omitempty"` // command: credentials redacted
	Size         uint64   `json:"size,omitempty"`    // command: bytes piped in
	Image        string   `json:"image,omitempty"`
	Digest       string   `json:"digest,omitempty"`
}

// Plan is what a rollback will do, in order: files, then restore commands
// (in the order the sources were captured), then image tags, so the old
// images start against the old data.
type Plan struct {
	Snapshot   string            `json:"snapshot"`
	Name       string            `json:"name,omitempty"`
	Time       time.Time         `json:"time"`
	Checkpoint bool              `json:"checkpoint"`
	Provenance map[string]string `json:"provenance,omitempty"`
	Steps      []Step            `json:"steps"`
	// Notes are sources the plan leaves alone, with the reason.
	Notes []string `json:"notes,omitempty"`
}

// PlanOptions shape a plan.
type PlanOptions struct {
	Target string // where files go (required when the snapshot has files)
	// RestoreCommands set or replace the restore command of sources by name.
	RestoreCommands map[string]string
	NoFiles         bool // leave files alone
	NoCommands      bool // leave command and stdin sources alone
	NoImages        bool // leave image tags alone
}

// ErrNeedTarget: the snapshot holds files and the plan has no target
// directory for them.
var ErrNeedTarget = errors.New("no target directory for them")

// NewPlan builds the plan to roll back to snap.
func NewPlan(snap *snapshot.Snapshot, o PlanOptions) (*Plan, error) {
	p := &Plan{Snapshot: snap.ID.String(), Name: snap.Name, Time: snap.Time, Checkpoint: snap.Checkpoint, Provenance: snap.Provenance}
	for name := range o.RestoreCommands {
		if _, err := capture.FindSource(snap, name); err != nil {
			return nil, fmt.Errorf("restore command for %s: %v", name, err)
		}
	}
	if snap.Tree != nil && !o.NoFiles {
		if o.Target == "" {
			return nil, fmt.Errorf("snapshot %s holds files: %w", snap.ID.Short(), ErrNeedTarget)
		}
		p.Steps = append(p.Steps, Step{Kind: StepFiles, Paths: snap.Paths, Target: o.Target,
			Description: fmt.Sprintf("restore files %s into %s", strings.Join(snap.Paths, ", "), o.Target)})
	}
	var images []Step
	for i := range snap.Sources {
		src := &snap.Sources[i]
		switch {
		case capture.IsStream(src):
			if o.NoCommands {
				continue
			}
			cmd := src.RestoreCommand
			if c, ok := o.RestoreCommands[src.Name]; ok {
				cmd = c
			}
			if cmd == "" {
				p.Notes = append(p.Notes, fmt.Sprintf("source %s has no restore command: it is left as it is ('savepoint dump %s %s' writes it out)",
					src.Name, snap.ID.Short(), src.Name))
				continue
			}
			p.Steps = append(p.Steps, Step{Kind: StepCommand, Source: src.Name, Command: cmd, CommandShown: capture.Redact(cmd), Size: src.Size,
				Description: fmt.Sprintf("pipe %s (%d bytes) into: %s", src.Name, src.Size, capture.Redact(cmd))})
		case src.Kind == capture.KindImage:
			if o.NoImages {
				continue
			}
			images = append(images, Step{Kind: StepImage, Source: src.Name, Image: src.Image, Digest: src.Digest,
				Description: fmt.Sprintf("re-point %s to %s", src.Image, src.Digest)})
		default:
			p.Notes = append(p.Notes, fmt.Sprintf("source %s of kind %q is not restored by this version", src.Name, src.Kind))
		}
	}
	p.Steps = append(p.Steps, images...)
	return p, nil
}
