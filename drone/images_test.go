package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/testenv"
	"github.com/savepoint-ci/savepoint/internal/testregistry"
)

// TestImageRollback: the checkpoint on a Woodpecker deployment records and
// pins the live image; the deploy moves the tag; the rollback task moves it
// back to the recorded digest.
func TestImageRollback(t *testing.T) {
	host := testenv.Require(t, "SAVEPOINT_TEST_REGISTRY")
	ws := newWorkspace(t)
	ref := host + "/plugin-images/" + strings.ToLower(filepath.Base(ws)) + ":production"
	live := testregistry.PushRandom(t, ref).String()
	base := map[string]string{
		"CI": "woodpecker", "CI_PIPELINE_EVENT": "deployment", "CI_PIPELINE_DEPLOY_TARGET": "production", "CI_WORKSPACE": ws,
		"PLUGIN_REPOSITORY": filepath.Join(t.TempDir(), "repo"), "PLUGIN_PASSWORD": password,
	}
	ckpt := step{dir: ws, env: merge(base, map[string]string{
		"CI_PIPELINE_DEPLOY_TASK": "deploy", "PLUGIN_INIT": "true",
		"PLUGIN_IMAGES": `{"api":"` + ref + `"}`, "PLUGIN_PIN": "true",
	})}.run(t).mustOK(t)
	srcs, _ := ckpt.get("output", "sources").([]any)
	if len(srcs) != 1 || srcs[0].(map[string]any)["digest"] != live || srcs[0].(map[string]any)["pin_tag"] == "" {
		t.Fatalf("checkpoint sources: %v", ckpt.get("output", "sources"))
	}
	if !strings.Contains(ckpt.stdout, "image api: "+live) {
		t.Errorf("stdout: %s", ckpt.stdout)
	}

	bad := testregistry.PushRandom(t, ref).String() // the deploy moves the tag
	if testregistry.Digest(t, ref) != bad {
		t.Fatal("the tag did not move")
	}
	rb := step{dir: ws, env: merge(base, map[string]string{"CI_PIPELINE_DEPLOY_TASK": "rollback"})}.run(t).mustOK(t)
	rb.noSecrets(t, password)
	if got := testregistry.Digest(t, ref); got != live {
		t.Errorf("after rollback the tag points at %s, want %s", got, live)
	}
}
