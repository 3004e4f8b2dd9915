package main

import (
	"path/filepath"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/testenv"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

const registryToken = "glpat-registry-token-0123456789"

// TestOCIRegistry saves and restores through the plugin with the repository
// in a real OCI registry (scripts/services/registry.sh).
func TestOCIRegistry(t *testing.T) {
	host := testenv.Require(t, "SAVEPOINT_TEST_REGISTRY")
	ws := newWorkspace(t)
	base := map[string]string{
		"CI": "woodpecker", "CI_PIPELINE_EVENT": "push", "CI_WORKSPACE": ws,
		"PLUGIN_REPOSITORY": "oci://" + host + "/plugin-test/" + filepath.Base(ws), "PLUGIN_PASSWORD": password,
		// The test registry asks for no credentials; these must still reach
		// the CLI through --registry-password-env and never be printed.
		"PLUGIN_REGISTRY_USERNAME": "ci-bot", "PLUGIN_REGISTRY_PASSWORD": registryToken,
	}
	save := step{dir: ws, env: merge(base, map[string]string{"PLUGIN_INIT": "true", "PLUGIN_NAME": "deps", "PLUGIN_PATHS": "node_modules"})}.run(t).mustOK(t)
	save.noSecrets(t, password, registryToken)
	restore := step{dir: ws, env: merge(base, map[string]string{"PLUGIN_COMMAND": "restore", "PLUGIN_NAME": "deps", "PLUGIN_TARGET": "out"})}.run(t).mustOK(t)
	restore.noSecrets(t, password, registryToken)
	if restore.get("snapshot") != save.get("snapshot") {
		t.Errorf("restored %v, saved %v", restore.get("snapshot"), save.get("snapshot"))
	}
	if diff := testrepo.Equal(t, filepath.Join(ws, "node_modules"), filepath.Join(ws, "out", "node_modules")); diff != "" {
		t.Errorf("restore: %s", diff)
	}
}
