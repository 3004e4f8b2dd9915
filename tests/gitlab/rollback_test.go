package gitlab

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// TestRollbackFlow plays GitLab's deploy and rollback with the checkpoint
// and rollback components. The "database" is a file outside the project
// that each deploy migrates by appending a line; the checkpoint captures it
// with a command and rollback pipes it back into a restore command.
//
//  1. pipeline of commit A: checkpoint, deploy A (the redeploy hook does nothing)
//  2. pipeline of commit B: checkpoint, deploy B
//  3. GitLab's Rollback button re-runs the deploy job of A at commit A: the
//     hook finds a newer checkpoint, puts back the state from before A's
//     deploy, and A's deploy migrates it again
//  4. the manual rollback job of B's pipeline undoes B's deploy
func TestRollbackFlow(t *testing.T) {
	root, dir := componentProject(t, `stages: [checkpoint, deploy]
include:
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/checkpoint@$CI_COMMIT_SHA
    inputs:
      stage: checkpoint
      environment: production
      repository: $TEST_REPOSITORY
      commands: db=cat "$TEST_STATE"
      restore_commands: db=cat > "$TEST_STATE"
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/rollback@$CI_COMMIT_SHA
    inputs:
      environment: production
      repository: $TEST_REPOSITORY
deploy:
  stage: deploy
  needs: [savepoint-checkpoint]
  extends: .savepoint-rollback-on-redeploy
  environment: production
  script:
    - echo "migrated by $(cat version.txt)" >> "$TEST_STATE"
`)
	state := filepath.Join(root, "db.txt")
	repo := filepath.Join(root, "repo")
	write := func(name, content string) {
		t.Helper()
		testrepo.WriteFile(t, dir, name, []byte(content))
	}
	write("version.txt", "A\n")
	testrepo.WriteFile(t, root, "db.txt", []byte("initial\n"))
	expect := func(step string, lines ...string) {
		t.Helper()
		got, err := os.ReadFile(state)
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.Join(lines, "\n") + "\n"; string(got) != want {
			t.Fatalf("%s: the database holds %q, want %q", step, got, want)
		}
	}
	vars := map[string]string{"TEST_REPOSITORY": repo, "TEST_STATE": state}

	commitA := newProject(t, dir, "git@gitlab.example.com:acme/app.git")
	out := gcl(t, dir, vars)
	expect("deploy A", "initial", "migrated by A")
	if strings.Contains(out, "rolling back") {
		t.Fatalf("an ordinary deploy rolled back:\n%s", out)
	}

	write("version.txt", "B\n")
	git(t, dir, "commit", "-q", "-am", "B")
	out = gcl(t, dir, vars)
	expect("deploy B", "initial", "migrated by A", "migrated by B")
	if strings.Contains(out, "rolling back") {
		t.Fatalf("an ordinary deploy rolled back:\n%s", out)
	}

	git(t, dir, "checkout", "-q", commitA)
	out = gcl(t, dir, vars, "deploy")
	if !strings.Contains(out, "this is a redeploy of "+commitA) {
		t.Errorf("the re-run deploy of A did not see a redeploy:\n%s", out)
	}
	expect("GitLab rollback to A", "initial", "migrated by A")

	git(t, dir, "checkout", "-q", "main")
	f, err := os.OpenFile(state, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("written after the deploy of B\n")
	f.Close()
	out = gcl(t, dir, vars, "savepoint-rollback")
	expect("manual rollback of B's deploy", "initial", "migrated by A")
	if !strings.Contains(out, "--before-commit "+git(t, dir, "rev-parse", "HEAD")) {
		t.Errorf("the manual rollback did not roll back to before this commit:\n%s", out)
	}
}
