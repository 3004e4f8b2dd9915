package engine

import (
	"regexp"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/doctest"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// TestGitLabSaveRestore runs README.md's build/save/restore pipeline: every
// job in the real shell image.
func TestGitLabSaveRestore(t *testing.T) {
	t.Parallel()
	requireEngine(t)
	p := newGitLabProject(t, doctest.Under(t, "gitlab/README.md", "Build, save, restore in a later stage", "yaml")[0], map[string]string{
		"build.sh":        "set -e\nmkdir -p dist\ncp -R src/. dist/\necho built\n",
		"test.sh":         "set -e\ndiff -r src dist\necho 'dist matches src'\n",
		"src/app.txt":     "the app\n",
		"src/lib/lib.txt": strings.Repeat("library line\n", 5000),
	}, nil)
	out := p.gcl(t)
	for _, job := range []string{"savepoint-save", "savepoint-restore", "test"} {
		if !passed(out, job) {
			t.Errorf("job %s did not pass", job)
		}
	}
	m := regexp.MustCompile(`testing snapshot ([0-9a-f]{8}) \(2 files\)`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "saved snapshot "+m[1]+" (dist)") || !strings.Contains(out, "dist matches src") {
		t.Errorf("the test job did not get the saved snapshot's files (%q)", m)
	}
	if !strings.Contains(out, "starting "+requireEngine(t).shell) {
		t.Errorf("the jobs did not run in the shell image %s", requireEngine(t).shell)
	}
}

// TestGitLabCheckpointRollback plays deploys and rollbacks with README.md's
// PostgreSQL pipeline, as the shell-executor test in tests/gitlab does with
// a file: the database is real and the jobs run in the image with pg_dump.
//
//  1. commit A: checkpoint, deploy A (its migration adds a row)
//  2. commit B: checkpoint, deploy B (its migration adds a column)
//  3. GitLab's Rollback button re-runs A's deploy job at commit A: its
//     before_script finds newer checkpoints, puts back the database as it
//     was before A's deploy, and A's migration runs again
//  4. after more writes, B's manual rollback job undoes B's deploy
func TestGitLabCheckpointRollback(t *testing.T) {
	t.Parallel()
	im := requireEngine(t)
	db := newDatabase(t, "shop_"+randomHex(4))
	pg := db.env
	db.psql("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL); INSERT INTO items VALUES (1, 'initial')")
	expect := func(step, want string) {
		t.Helper()
		if got := db.rows("items"); got != want {
			t.Fatalf("%s: the database holds %s, want %s", step, got, want)
		}
	}
	afterA := `{"id":1,"name":"initial"} {"id":2,"name":"from A"}`

	p := newGitLabProject(t, doctest.Under(t, "gitlab/README.md", "Checkpoint and roll back a PostgreSQL database", "yaml")[0], map[string]string{
		"migrate.sql": "INSERT INTO items VALUES (2, 'from A');\n",
	}, pg)
	commitA := p.git(t, "rev-parse", "HEAD")
	out := p.gcl(t)
	expect("deploy A", afterA)
	if strings.Contains(out, "rolling back") || !strings.Contains(out, "starting "+im.pg) {
		t.Fatalf("deploy A rolled back, or ran outside %s", im.pg)
	}

	testrepo.WriteFile(t, p.dir, "migrate.sql", []byte("ALTER TABLE items ADD COLUMN price int NOT NULL DEFAULT 5;\n"))
	p.git(t, "commit", "-q", "-am", "B")
	p.gcl(t)
	expect("deploy B", `{"id":1,"name":"initial","price":5} {"id":2,"name":"from A","price":5}`)

	p.git(t, "checkout", "-q", commitA)
	out = p.gcl(t, "deploy")
	if !strings.Contains(out, "this is a redeploy of "+commitA) {
		t.Errorf("the re-run deploy of A did not see a redeploy")
	}
	expect("GitLab's rollback to A", afterA)

	p.git(t, "checkout", "-q", "main")
	db.psql("INSERT INTO items VALUES (3, 'written after the deploy of B')")
	out = p.gcl(t, "savepoint-rollback")
	if !strings.Contains(out, "--before-commit "+p.git(t, "rev-parse", "HEAD")) {
		t.Errorf("the manual rollback did not roll back to before this commit")
	}
	expect("the manual rollback of B's deploy", afterA)
}
