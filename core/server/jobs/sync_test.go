package jobs

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

func snaps(specs ...string) []*snapshot.Snapshot {
	base := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var out []*snapshot.Snapshot
	for i, s := range specs { // NAME@HOURS
		name, h, _ := strings.Cut(s, "@")
		d, _ := time.ParseDuration(h + "h")
		out = append(out, &snapshot.Snapshot{Name: name, Time: base.Add(d), Hostname: string(rune('a' + i))})
	}
	return out
}

func names(list []*snapshot.Snapshot) []string {
	var out []string
	for _, s := range list {
		out = append(out, s.Name+"@"+s.Time.Format("15"))
	}
	return out
}

// TestSelectSync: latest K is per name, the name filter applies first,
// and with a retention policy a snapshot older than the destination's
// newest of its name is left out (without one it is pulled: a save that
// committed late is mirrored too).
func TestSelectSync(t *testing.T) {
	src := snaps("web@1", "db@2", "web@3", "web@5", "db@6", "web@7")
	for _, c := range []struct {
		spec  Spec
		dst   []*snapshot.Snapshot
		want  []string
		older int
	}{
		{Spec{Latest: 2}, nil, []string{"db@02", "web@05", "db@06", "web@07"}, 0},
		{Spec{Latest: 1, Name: "web"}, nil, []string{"web@07"}, 0},
		{Spec{All: true, Name: "db"}, nil, []string{"db@02", "db@06"}, 0},
		{Spec{All: true, Name: "web"}, snaps("web@5"), []string{"web@01", "web@03", "web@05", "web@07"}, 0},
		{Spec{All: true, Name: "web", Keep: &Keep{Last: 1}}, snaps("web@5"), []string{"web@05", "web@07"}, 2},
	} {
		got, older := selectSync(c.spec, src, c.dst)
		if !slices.Equal(names(got), c.want) || older != c.older {
			t.Errorf("%+v: got %v (%d older), want %v (%d older)", c.spec, names(got), older, c.want, c.older)
		}
	}
}

// TestSyncSpecCheck: a sync job needs the source, both files as absolute
// paths, and one of latest or all.
func TestSyncSpecCheck(t *testing.T) {
	from := SyncSource{Repo: "https://near.example.com:8417/app", TokenFile: "/etc/savepoint/near.token", PasswordFile: "/etc/savepoint/near-app.password"}
	good := Spec{Kind: KindSync, From: from, Latest: 3}
	if err := good.Check(); err != nil {
		t.Fatal(err)
	}
	bad := map[string]Spec{
		"no source":          {Kind: KindSync, Latest: 1},
		"relative token":     {Kind: KindSync, From: SyncSource{Repo: from.Repo, TokenFile: "near.token", PasswordFile: from.PasswordFile}, All: true},
		"token in the URL":   {Kind: KindSync, From: SyncSource{Repo: "https://u:p@near.example.com/app", TokenFile: from.TokenFile, PasswordFile: from.PasswordFile}, All: true},
		"neither latest nor": {Kind: KindSync, From: from},
		"both latest and":    {Kind: KindSync, From: from, All: true, Latest: 2},
		"dry run":            {Kind: KindSync, From: from, All: true, DryRun: true},
	}
	for what, s := range bad {
		err := s.Check()
		if !errors.Is(err, storage.ErrInvalid) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line wrapping ErrInvalid", what, err)
		}
	}
}

// TestCopySnapshotsGivenLists: the sync job hands the snapshot lists it
// picked from to the copy, which lists neither repository again (here a
// rerun, whose snapshot the destination holds, makes no listing at all).
func TestCopySnapshotsGivenLists(t *testing.T) {
	ctx := t.Context()
	src, a := testrepo.New(t)
	dst, b := testrepo.New(t)
	dir := t.TempDir()
	t.Chdir(dir)
	testrepo.WriteFile(t, dir, filepath.Join("src", "a.bin"), testrepo.Random(40<<10))
	if _, err := save.Run(ctx, src, save.Options{Paths: []string{"src"}, Name: "prod"}); err != nil {
		t.Fatal(err)
	}
	srcList, err := snapshot.List(ctx, src)
	if err != nil || len(srcList) != 1 {
		t.Fatalf("%v: %d snapshots", err, len(srcList))
	}
	res := &SyncResult{}
	if err := copySnapshots(ctx, src, dst, srcList, srcList, nil, res, &reporter{now: time.Now}); err != nil || len(res.Copied) != 1 {
		t.Fatalf("first sync: %v %+v", err, res)
	}

	src, dst = testrepo.Reopen(t, a), testrepo.Reopen(t, b)
	dstList, err := snapshot.List(ctx, dst)
	if err != nil || len(dstList) != 1 {
		t.Fatalf("%v: %d snapshots in the destination", err, len(dstList))
	}
	srcBefore, dstBefore := src.Requests(), dst.Requests()
	res = &SyncResult{}
	if err := copySnapshots(ctx, src, dst, srcList, srcList, dstList, res, &reporter{now: time.Now}); err != nil || res.Present != 1 {
		t.Fatalf("second sync: %v %+v", err, res)
	}
	if s, d := src.Requests().Sub(srcBefore), dst.Requests().Sub(dstBefore); s.List != 0 || d.List != 0 {
		t.Fatalf("the copy listed again: source %+v, destination %+v", s, d)
	}
}
