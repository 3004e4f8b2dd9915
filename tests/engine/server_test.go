package engine

import (
	"regexp"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/doctest"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// The CI examples of docs/server.md, run by the platforms' real entrypoints
// against a real `savepoint serve` on loopback (the containers share the
// host's network) with an append token, as a pipeline holds it. The
// example's public server becomes the test's.

const exampleServer = "https://backup.example.com:8417"

// TestGitHubServer: the action checkpoints through the server with the
// append token of server_token; the deploy fails and the post step rolls
// back with the same token (a rollback only reads). A forget with that
// token fails with exit 14 and one line naming the admin role. The token
// shows in no log.
func TestGitHubServer(t *testing.T) {
	t.Parallel()
	srv, token := testserver.StartAppend(t, "app")
	wf := substitute(t, doctest.Under(t, "docs/server.md", "GitHub Actions", "yaml")[0], exampleServer, srv.URL)
	forget := `name: forget
on: push
jobs:
  forget:
    runs-on: ubuntu-latest
    steps:
      - uses: savepoint-ci/savepoint@v1
        with:
          command: forget
          repository: ` + srv.Repo("app") + `
          server_token: ${{ secrets.SAVEPOINT_TOKEN }}
          password: ${{ secrets.SAVEPOINT_PASSWORD }}
          keep_last: "1"
`
	p := newGitHubProject(t, map[string]string{
		"uploads/logo.txt": "the logo\n",
		"deploy.sh":        "echo 'a broken logo' >uploads/logo.txt\necho 'deploy: failed' >&2\nexit 1\n",
	}, map[string]string{"deploy.yml": wf, "forget.yml": forget})
	p.env = map[string]string{"SAVEPOINT_TOKEN": token, "SAVEPOINT_PASSWORD": password}
	p.secrets = append(p.secrets, token)

	r := p.act(t, "deploy.yml")
	log := jobLog(r.output(), "deploy/deploy")
	if r.code == 0 || !strings.Contains(log, "deploy: failed") || !setSnapshotID(log) {
		t.Fatalf("want a checkpoint through the server and a failed deploy (exit %d):\n%s", r.code, log)
	}
	if !strings.Contains(log, "Success - Post savepoint-ci/savepoint@v1") || !regexp.MustCompile(`"description": "restore files uploads into \.",\s+"paths": \[\s+"uploads"\s+\],\s+"target": "\.",\s+"status": "done"`).MatchString(stepLog(r.output(), "deploy/deploy")) {
		t.Errorf("the post step did not roll back with the append token:\n%s", log)
	}

	r = p.act(t, "forget.yml")
	log = jobLog(r.output(), "forget/forget")
	if r.code == 0 || !strings.Contains(log, "exitcode '14'") || !strings.Contains(log, "forget needs a token with role admin (token ") {
		t.Errorf("forget with an append token: want exit 14 and the admin role named (act exit %d):\n%s", r.code, log)
	}
	srv.CheckTokenNotLogged(t, token)
}

// setSnapshotID reports whether a step set the snapshot_id output.
func setSnapshotID(log string) bool { return strings.Contains(log, "::set-output:: snapshot_id=") }

// TestGitLabServer: the save and restore components with server_token
// naming the masked variable; the restore job gets the save job's snapshot
// through the server.
func TestGitLabServer(t *testing.T) {
	t.Parallel()
	requireEngine(t)
	srv, token := testserver.StartAppend(t, "app")
	pipeline := substitute(t, doctest.Under(t, "docs/server.md", "GitLab CI/CD", "yaml")[0], exampleServer, srv.URL)
	p := newGitLabProject(t, pipeline, map[string]string{
		"build.sh":    "set -e\nmkdir -p dist\ncp -R src/. dist/\necho built\n",
		"src/app.txt": "the app\n",
	}, map[string]string{"SAVEPOINT_CI_TOKEN": token})
	p.secrets = append(p.secrets, token)
	out := p.gcl(t)
	for _, job := range []string{"savepoint-save", "savepoint-restore"} {
		if !passed(out, job) {
			t.Errorf("job %s did not pass", job)
		}
	}
	if !strings.Contains(out, "saved snapshot") || !strings.Contains(out, "restored snapshot") {
		t.Errorf("no save and restore through the server in the log")
	}
	srv.CheckTokenNotLogged(t, token)
}

// TestPluginServer: the plugin image checkpoints through the server with
// the server_token setting; a forget step with the same token exits 14
// with status access_refused and one line naming the admin role.
func TestPluginServer(t *testing.T) {
	t.Parallel()
	im := requireEngine(t)
	srv, token := testserver.StartAppend(t, "app")
	r := pluginRunner{drone: true, workspace: "/drone/src", secrets: map[string]string{"savepoint_token": token, "savepoint_password": password},
		meta: map[string]string{"CI": "true", "DRONE": "true", "DRONE_REPO": "acme/shop", "DRONE_COMMIT_SHA": randomHex(20),
			"DRONE_BUILD_NUMBER": "21", "DRONE_BUILD_EVENT": "push", "DRONE_WORKSPACE": "/drone/src"}}
	pipelines := r.pipelines(t, substitute(t, doctest.Under(t, "docs/server.md", "Drone and Woodpecker", "yaml")[0], exampleServer, srv.URL))
	ws := t.TempDir()
	testrepo.WriteFile(t, ws, "uploads/logo.bin", testrepo.Random(100<<10))
	cp := r.run(t, pipelines[0], ws)[0]
	if cp.code != 0 || cp.json["status"] != "ok" || cp.json["command"] != "checkpoint" || len(cp.json["snapshot"].(string)) != 64 {
		t.Fatalf("checkpoint through the server: exit %d, result %s", cp.code, cp.raw)
	}
	forget := map[string]any{"steps": []any{map[string]any{"name": "forget", "image": im.plugin, "settings": map[string]any{
		"command": "forget", "repository": srv.Repo("app"), "keep_last": 1,
		"server_token": map[string]any{"from_secret": "savepoint_token"}, "password": map[string]any{"from_secret": "savepoint_password"},
	}}}}
	f := r.run(t, forget, ws)[0]
	if f.code != 14 || f.json["status"] != "access_refused" || !strings.Contains(f.stderr, "forget needs a token with role admin (token ") {
		t.Errorf("forget with an append token: exit %d, result %s\n%s", f.code, f.raw, f.output())
	}
	for _, s := range []stepRun{cp, f} {
		if strings.Contains(s.output()+s.raw, token) || strings.Contains(s.output()+s.raw, password) {
			t.Errorf("a secret shows in a step's log or result.json")
		}
	}
	srv.CheckTokenNotLogged(t, token)
}
