package rollback

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/capture"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

func cp(id byte, name, commit string, at int, checkpoint bool) *snapshot.Snapshot {
	s := &snapshot.Snapshot{ID: repository.ID{id}, Name: name, Checkpoint: checkpoint,
		Time: time.Date(2026, 1, 1, 0, at, 0, 0, time.UTC)}
	if commit != "" {
		s.Provenance = map[string]string{"commit": commit}
	}
	return s
}

func TestSelect(t *testing.T) {
	list := []*snapshot.Snapshot{
		cp(1, "production", "aaaaaaa111", 1, true),
		cp(2, "staging", "bbbbbbb222", 2, true),
		cp(3, "production", "bbbbbbb222", 3, true), // pre-deploy checkpoint of bbbbbbb
		cp(4, "production", "bbbbbbb222", 4, true), // a retried pipeline of bbbbbbb
		cp(5, "production", "ccccccc333", 5, false),
		cp(6, "production", "ddddddd444", 6, true),
	}
	for _, c := range []struct {
		sel  Selector
		want byte
		err  string
	}{
		{Selector{Name: "production"}, 6, ""},
		{Selector{Name: "staging"}, 2, ""},
		{Selector{Name: "production", BeforeCommit: "bbbbbbb"}, 3, ""},
		{Selector{Name: "staging", BeforeCommit: "BBBBBBB2"}, 2, ""},
		{Selector{BeforeCommit: "bbbbbbb"}, 2, ""},
		{Selector{Name: "production", BeforeCommit: "ccccccc"}, 0, "no checkpoint named \"production\" was taken by commit ccccccc"},
		{Selector{Name: "production", BeforeCommit: "abc"}, 0, "at least 7 characters"},
		{Selector{Name: "qa"}, 0, "no checkpoint named \"qa\""},
		{Selector{}, 0, "say what to roll back to"},
		{Selector{To: "0500"}, 5, ""},
	} {
		got, err := Select(list, c.sel)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%+v: err %v, want %q", c.sel, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("%+v: %v", c.sel, err)
		case c.err == "" && got.ID[0] != c.want:
			t.Errorf("%+v: got %d, want %d", c.sel, got.ID[0], c.want)
		}
	}
}

func TestPlanOrderAndNotes(t *testing.T) {
	tree := repository.ID{9}
	snap := &snapshot.Snapshot{ID: repository.ID{1}, Tree: &tree, Paths: []string{"data"}, Sources: []snapshot.Source{
		{Kind: "image", Name: "api", Image: "r.example/api:prod", Digest: "sha256:aa"},
		{Kind: "command", Name: "db", RestoreCommand: "psql app", Size: 10},
		{Kind: "stdin", Name: "blob"},
	}}
	p, err := NewPlan(snap, PlanOptions{Target: "/srv"})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, s := range p.Steps {
		kinds = append(kinds, s.Kind+":"+s.Source)
	}
	if strings.Join(kinds, " ") != "files: command:db image:api" || len(p.Notes) != 1 || !strings.Contains(p.Notes[0], "blob has no restore command") {
		t.Fatalf("steps %v notes %v", kinds, p.Notes)
	}
	p, _ = NewPlan(snap, PlanOptions{Target: "/srv", RestoreCommands: map[string]string{"blob": "cat > x"}, NoFiles: true, NoImages: true})
	if len(p.Steps) != 2 || p.Steps[1].Command != "cat > x" || len(p.Notes) != 0 {
		t.Fatalf("plan %+v", p)
	}
	if _, err := NewPlan(snap, PlanOptions{}); !errors.Is(err, ErrNeedTarget) {
		t.Fatalf("no target: %v", err)
	}
	if _, err := NewPlan(snap, PlanOptions{Target: "x", RestoreCommands: map[string]string{"nope": "x"}}); err == nil {
		t.Fatal("a restore command for a missing source was accepted")
	}
}

func TestApplyStopsAtFirstFailure(t *testing.T) {
	ctx := t.Context()
	repo, _ := testrepo.New(t)
	dir := t.TempDir()
	testrepo.WriteFile(t, dir, "data/f", []byte("v1"))
	var srcs []snapshot.Source
	for _, name := range []string{"one", "two", "three"} {
		src, err := capture.RunCommand(ctx, repo, capture.Command{Name: name, Command: "echo " + name, RestoreCommand: "cat >> " + filepath.Join(dir, "log")})
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, src)
	}
	srcs[1].RestoreCommand = "cat >/dev/null; echo 'second failed' >&2; exit 1"
	snap, err := save.Run(ctx, repo, save.Options{Paths: []string{filepath.Join(dir, "data")}, Sources: srcs, Checkpoint: true, Name: "p"})
	if err != nil {
		t.Fatal(err)
	}
	target := t.TempDir()
	p, err := NewPlan(snap, PlanOptions{Target: target})
	if err != nil {
		t.Fatal(err)
	}
	var seen []int
	rep, err := Apply(ctx, repo, snap, p, ApplyOptions{StepDone: func(i int, r StepResult) { seen = append(seen, i) }})
	if !errors.Is(err, ErrStepFailed) || !errors.Is(err, capture.ErrRestoreFailed) || !strings.Contains(err.Error(), "step 3 of 4") {
		t.Fatalf("err %v", err)
	}
	ran, failed, notRun := rep.Counts()
	if rep.OK || ran != 2 || failed != 1 || notRun != 1 || len(seen) != 3 || rep.Steps[3].Status != StatusNotRun {
		t.Fatalf("report %+v", rep)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "log")); string(b) != "one\n" {
		t.Fatalf("log %q: step three must not run", b)
	}
	if b, _ := os.ReadFile(filepath.Join(target, strings.TrimPrefix(filepath.Join(dir, "data", "f"), "/"))); string(b) != "v1" {
		t.Fatalf("files not restored: %q", b)
	}
}

func TestPreflightMissingChunk(t *testing.T) {
	ctx := t.Context()
	repo, _ := testrepo.New(t)
	dir := t.TempDir()
	src, err := capture.RunCommand(ctx, repo, capture.Command{Name: "db", Command: "echo x", RestoreCommand: "cat > " + filepath.Join(dir, "out")})
	if err != nil {
		t.Fatal(err)
	}
	src.Content = append(src.Content, repository.ID{7})
	snap, err := save.Run(ctx, repo, save.Options{Sources: []snapshot.Source{src}})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := NewPlan(snap, PlanOptions{})
	rep, err := Apply(ctx, repo, snap, p, ApplyOptions{})
	if !errors.Is(err, ErrPreflight) || !errors.Is(err, repository.ErrBlobNotFound) || rep.OK || rep.Steps[0].Status != StatusNotRun {
		t.Fatalf("err %v report %+v", err, rep)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Fatal("the restore command ran")
	}
}
