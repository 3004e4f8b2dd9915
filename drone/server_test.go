package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/cli"
	"github.com/savepoint-ci/savepoint/internal/mask"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// TestServerAppendToken runs the plugin against a real `savepoint serve`
// with an append token, as a pipeline holds it: Woodpecker's step saves
// with the token in the server_token setting (creating the repository),
// a fresh workspace restores, and forget and prune are refused with exit
// 14, status access_refused and one line naming the admin role. Drone's
// step gives the token in the step's environment (SAVEPOINT_TOKEN) and
// checkpoints with a command that prints the token: it is masked. The
// token shows nowhere, not even in the server's log.
func TestServerAppendToken(t *testing.T) {
	srv, token := testserver.StartAppend(t, "shop")
	ws := newWorkspace(t)
	base := map[string]string{"CI": "woodpecker", "CI_WORKSPACE": ws, "CI_PIPELINE_EVENT": "push", "PLUGIN_REPOSITORY": srv.Repo("shop"),
		"PLUGIN_PASSWORD": "shop-password", "PLUGIN_SERVER_TOKEN": token}
	secrets := []string{"shop-password", token}

	saved := step{dir: ws, env: merge(base, map[string]string{"PLUGIN_INIT": "true", "PLUGIN_NAME": "deps", "PLUGIN_PATHS": "node_modules"})}.run(t).mustOK(t)
	saved.noSecrets(t, secrets...)

	fresh := t.TempDir()
	restored := step{dir: fresh, env: merge(base, map[string]string{"CI_WORKSPACE": fresh, "PLUGIN_COMMAND": "restore", "PLUGIN_NAME": "deps"})}.run(t).mustOK(t)
	if restored.result["snapshot"] != saved.result["snapshot"] {
		t.Errorf("restored %v, saved %v", restored.result["snapshot"], saved.result["snapshot"])
	}
	if d := testrepo.Equal(t, filepath.Join(ws, "node_modules"), filepath.Join(fresh, "node_modules")); d != "" {
		t.Errorf("restored files differ: %s", d)
	}
	restored.noSecrets(t, secrets...)

	for _, c := range []map[string]string{{"PLUGIN_COMMAND": "forget", "PLUGIN_KEEP_LAST": "1"}, {"PLUGIN_COMMAND": "prune"}} {
		r := step{dir: ws, env: merge(base, c)}.run(t)
		if r.code != cli.ExitAccessRefused || r.result["status"] != "access_refused" {
			t.Errorf("%s with an append token: exit %d, status %v; want %d, access_refused", c["PLUGIN_COMMAND"], r.code, r.result["status"], cli.ExitAccessRefused)
		}
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		if last := lines[len(lines)-1]; !strings.HasPrefix(last, "savepoint: ") || !strings.Contains(last, "needs a token with role admin (token ") {
			t.Errorf("%s: the last line of stderr does not name the admin role: %q", c["PLUGIN_COMMAND"], last)
		}
		if e, _ := r.result["error"].(string); !strings.Contains(e, "needs a token with role admin") {
			t.Errorf("%s: result.json error %q", c["PLUGIN_COMMAND"], e)
		}
		r.noSecrets(t, secrets...)
	}

	drone := map[string]string{"DRONE": "true", "DRONE_WORKSPACE": ws, "DRONE_BUILD_EVENT": "promote", "DRONE_DEPLOY_TO": "production",
		"PLUGIN_REPOSITORY": srv.Repo("shop"), "PLUGIN_PASSWORD": "shop-password", "SAVEPOINT_TOKEN": token, "PLUGIN_PATHS": "src",
		"PLUGIN_COMMANDS": `{"db": "printf '%s\\n' '` + token + `' >&2; echo data"}`}
	cp := step{dir: ws, env: drone}.run(t).mustOK(t)
	if cp.result["command"] != "checkpoint" || !strings.Contains(cp.stderr, mask.Replacement+"\n") {
		t.Errorf("checkpoint on promote: command %v; the printed token is not masked:\n%s", cp.result["command"], cp.stderr)
	}
	cp.noSecrets(t, secrets...)
	srv.CheckTokenNotLogged(t, token)
}
