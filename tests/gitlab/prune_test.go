package gitlab

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// TestPruneComponent saves two different versions of a file, then runs
// the prune component (keep the last one) and checks that one snapshot and
// only its data are left.
func TestPruneComponent(t *testing.T) {
	root, dir := componentProject(t, `stages: [build]
include:
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/save@$CI_COMMIT_SHA
    inputs:
      repository: $TEST_REPOSITORY
      paths: data
      name: cache
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/prune@$CI_COMMIT_SHA
    inputs:
      repository: $TEST_REPOSITORY
      keep_last: 1
      keep_daily: 0
      grace: 1s
      rules: [{when: always}]
`)
	repo := filepath.Join(root, "repo")
	random := func() {
		t.Helper()
		testrepo.WriteFile(t, dir, "data/blob", testrepo.Random(2<<20))
	}
	vars := map[string]string{"TEST_REPOSITORY": repo}
	random()
	newProject(t, dir, "git@gitlab.example.com:acme/app.git")
	gcl(t, dir, vars, "savepoint-save")
	random()
	git(t, dir, "commit", "-q", "-am", "new data")
	gcl(t, dir, vars, "savepoint-save")
	// The unreferenced data passes the 1s grace: every object is an hour
	// old (the grace counts from an object's storage time).
	testrepo.Age(t, repo, time.Hour)
	out := gcl(t, dir, vars, "savepoint-prune")
	for _, want := range []string{"forget --keep-last 1", "prune --grace 1s", "section_start:", "deleted"} {
		if !strings.Contains(out, want) {
			t.Errorf("prune job output lacks %q:\n%s", want, out)
		}
	}
	if list := snapshots(t, repo, nil); len(list) != 1 {
		t.Fatalf("after prune: %d snapshots, want 1", len(list))
	}
	var size int64
	filepath.Walk(repo, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			size += fi.Size()
		}
		return nil
	})
	if size > 3<<20 {
		t.Errorf("the repository holds %d bytes after prune, more than one version of the data", size)
	}
}
