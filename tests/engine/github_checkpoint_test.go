package engine

import (
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/savepoint-ci/savepoint/internal/doctest"
	"github.com/savepoint-ci/savepoint/internal/testenv"
	"github.com/savepoint-ci/savepoint/internal/testregistry"
)

// substitute replaces, in a documented workflow, what only exists on the
// reader's side (an endpoint, a bucket, an image) with the test's own; each
// must occur in the workflow, so that the test follows the docs.
func substitute(t *testing.T, text string, pairs ...string) string {
	t.Helper()
	for i := 0; i < len(pairs); i += 2 {
		if !strings.Contains(text, pairs[i]) {
			t.Fatalf("the documented workflow no longer holds %q", pairs[i])
		}
		text = strings.ReplaceAll(text, pairs[i], pairs[i+1])
	}
	return text
}

// checkpointDatabase is the database the checkpoint examples dump: `app`,
// as they name it, with one table; the migration of the failing deploy
// adds a column and a row.
const migration = "psql -v ON_ERROR_STOP=1 -q app -c \"ALTER TABLE items ADD COLUMN price int NOT NULL DEFAULT 5; INSERT INTO items VALUES (2, 'new', 7)\"\necho 'migrated app'\n"

func checkpointDatabase(t *testing.T) *database {
	t.Helper()
	db := newDatabase(t, "app")
	db.psql("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL); INSERT INTO items VALUES (1, 'initial')")
	return db
}

// deployAndRollBack runs the deploy workflow of p with the database's
// connection in the job's variables (PGPASSWORD is a secret; the runner's
// environment has the port) and checks that the checkpoint was taken, the
// migration ran, the deploy failed with failure and the database is back as
// it was. It returns the job's log.
func deployAndRollBack(t *testing.T, p *githubProject, db *database, failure string) string {
	t.Helper()
	p.env["PGPASSWORD"] = "unused"
	p.vars = map[string]string{"PGHOST": db.env["PGHOST"], "PGUSER": db.env["PGUSER"]}
	p.runEnv["PGPORT"] = db.env["PGPORT"] // GitHub's runners reach PostgreSQL on its default port
	r := p.act(t, "deploy.yml")
	log := jobLog(r.output(), "deploy/deploy")
	if r.code == 0 || !strings.Contains(log, "| migrated app") || !strings.Contains(log, failure) {
		t.Fatalf("want a checkpoint, the migration and a failed deploy (exit %d):\n%s", r.code, log)
	}
	if got := db.rows("items"); got != `{"id":1,"name":"initial"}` {
		t.Errorf("after the rollback the database holds %s, want the row from before the migration", got)
	}
	return log
}

// TestGitHubHeadlineCheckpoint runs docs/github.md's pre-deploy checkpoint
// under act as written: the checkpoint dumps the database with the
// runner's pg_dump (job env PGHOST, PGUSER, PGPASSWORD), saves the
// configuration and pins the image; the migration runs, the deploy fails,
// and the post step (on_failure: rollback) restores the files, pipes the
// dump into psql and re-points the image tag. The database is as before.
func TestGitHubHeadlineCheckpoint(t *testing.T) {
	m := testenv.RequireMinIO(t)
	reg := testenv.Require(t, "SAVEPOINT_TEST_REGISTRY")
	db := checkpointDatabase(t)
	image := reg + "/example-" + randomHex(4) + "/api:production" // a repository of its own: pin tags stay
	digest := testregistry.PushRandom(t, image)
	wf := substitute(t, doctest.Under(t, "docs/github.md", "A pre-deploy checkpoint with automatic rollback", "yaml")[0],
		"s3://ops-checkpoints/production", "s3://sp-engine-"+randomHex(4)+"/production",
		"minio.internal.example:9000", "http://"+m.Endpoint,
		"ghcr.io/example/api:production", image)
	p := newGitHubProject(t, map[string]string{
		"scripts/migrate.sh": migration,
		"scripts/deploy.sh":  "echo version=2 >deploy/config/app.env\necho 'deploy: the new version does not start' >&2\nexit 1\n",
	}, map[string]string{"deploy.yml": wf})
	p.env = map[string]string{"MINIO_ACCESS_KEY": m.AccessKey, "MINIO_SECRET_KEY": m.SecretKey, "SAVEPOINT_PASSWORD": password}
	log := deployAndRollBack(t, p, db, "deploy: the new version does not start")
	for _, want := range []string{"Success - Post savepoint-ci/savepoint@v1", "rolling back to", "restore files deploy/config into .", "pipe db (",
		"re-point " + image + " to " + digest.String()} {
		if !strings.Contains(log, want) {
			t.Errorf("the post step's log lacks %q", want)
		}
	}
	ref, err := name.ParseReference(image)
	if err != nil {
		t.Fatal(err)
	}
	tags, err := remote.List(ref.Context())
	pinned := 0
	for _, tag := range tags {
		if strings.HasPrefix(tag, "savepoint-pin-") {
			pinned++
		}
	}
	if err != nil || pinned != 1 {
		t.Errorf("the checkpoint pinned %d tags (want 1): %v %v", pinned, tags, err)
	}
}

// TestGitHubReadmeCheckpoint runs README.md's 60-second GitHub example
// under act, its repository in the test's registry instead of ghcr.io: the
// deploy script changes uploads and migrates the database, then fails; the
// post step puts both back.
func TestGitHubReadmeCheckpoint(t *testing.T) {
	reg := testenv.Require(t, "SAVEPOINT_TEST_REGISTRY")
	db := checkpointDatabase(t)
	wf := "name: deploy\non: push\n" + substitute(t, doctest.Under(t, "README.md", "60 seconds on GitHub Actions", "yaml")[0], "ghcr.io", reg)
	p := newGitHubProject(t, map[string]string{
		"uploads/logo.txt": "the logo\n",
		"deploy.sh":        "echo 'a new logo' >uploads/logo.txt\n" + migration + "echo 'deploy: failed' >&2\nexit 1\n",
	}, map[string]string{"deploy.yml": wf})
	p.env = map[string]string{"SAVEPOINT_PASSWORD": password}
	log := deployAndRollBack(t, p, db, "deploy: failed")
	if !strings.Contains(log, "restore files uploads into .") || !strings.Contains(log, "pipe db (") {
		t.Errorf("the post step did not roll back files and database:\n%s", log)
	}
}
