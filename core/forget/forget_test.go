package forget

import (
	"errors"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/retention"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// TestRun: the policy applies to the snapshots of one name; a dry run
// decides and removes nothing; a real run removes what it does not keep,
// and the snapshots of other names stay.
func TestRun(t *testing.T) {
	ctx := t.Context()
	repo, _ := testrepo.New(t)
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	var ids []repository.ID
	for i, name := range []string{"build", "build", "build", "build", "deps"} {
		id, err := snapshot.Save(ctx, repo, &snapshot.Snapshot{Name: name, Time: now.Add(time.Duration(i-10) * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	o := Options{Policy: retention.Policy{Last: 2}, Name: "build", DryRun: true}
	res, err := Run(ctx, repo, o, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Snapshots) != 4 || res.Removed != 0 || !res.DryRun || count(t, repo) != 5 {
		t.Fatalf("dry run: %+v, %d snapshots left", res, count(t, repo))
	}
	o.DryRun = false
	if res, err = Run(ctx, repo, o, now); err != nil {
		t.Fatal(err)
	}
	if res.Removed != 2 || count(t, repo) != 3 {
		t.Fatalf("removed %d, %d snapshots left; want 2 and 3", res.Removed, count(t, repo))
	}
	for _, id := range ids[2:] {
		if _, err := snapshot.Load(ctx, repo, id); err != nil {
			t.Errorf("snapshot %s should stay: %v", id.Short(), err)
		}
	}
	if _, err := Run(ctx, repo, Options{}, now); !errors.Is(err, ErrPolicy) {
		t.Errorf("empty policy: %v, want ErrPolicy", err)
	}
}

func count(t *testing.T, repo *repository.Repository) int {
	t.Helper()
	list, err := snapshot.List(t.Context(), repo)
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}
