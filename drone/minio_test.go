package main

import (
	"path/filepath"
	"testing"

	"github.com/savepoint-ci/savepoint/core/cli"
	"github.com/savepoint-ci/savepoint/internal/testenv"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// TestMinIO runs save, a Drone-encoded save and restore against a real
// MinIO server (scripts/services/minio.sh), with the S3 settings and keys
// from the step's settings, and checks that no key or password is printed.
func TestMinIO(t *testing.T) {
	m := testenv.RequireMinIO(t)
	endpoint, access, secret := m.Endpoint, m.AccessKey, m.SecretKey
	repo := "s3://" + testenv.Unique("sp-plugin-") + "/ci/shop"

	ws := newWorkspace(t)
	woodpecker := map[string]string{
		"CI": "woodpecker", "CI_PIPELINE_EVENT": "push", "CI_REPO": "acme/shop", "CI_WORKSPACE": ws,
		"PLUGIN_REPOSITORY": repo, "PLUGIN_S3_ENDPOINT": endpoint, "PLUGIN_S3_PATH_STYLE": "true", "PLUGIN_S3_INSECURE": "true",
		"PLUGIN_S3_ACCESS_KEY": access, "PLUGIN_S3_SECRET_KEY": secret, "PLUGIN_PASSWORD": password,
		"PLUGIN_INIT": "true", "PLUGIN_NAME": "deps", "PLUGIN_PATHS": "node_modules,.cache",
	}
	first := step{dir: ws, env: woodpecker}.run(t).mustOK(t)
	first.noSecrets(t, password, secret)
	if first.num("output", "stats", "files") != 4 {
		t.Errorf("save: %v", first.get("output", "stats"))
	}

	// The same repository with Drone's encoding: hyphenated keys, a JSON
	// list; it finds the first snapshot as its parent.
	drone := map[string]string{
		"DRONE": "true", "DRONE_BUILD_EVENT": "push", "DRONE_REPO": "acme/shop", "DRONE_WORKSPACE": ws,
		"PLUGIN_REPOSITORY": repo, "PLUGIN_S3-ENDPOINT": endpoint, "PLUGIN_S3-PATH-STYLE": "true", "PLUGIN_S3-INSECURE": "true",
		"PLUGIN_S3-ACCESS-KEY": access, "PLUGIN_S3-SECRET-KEY": secret, "PLUGIN_PASSWORD": password,
		"PLUGIN_NAME": "deps", "PLUGIN_PATHS": `["node_modules", ".cache"]`,
	}
	second := step{dir: t.TempDir(), env: drone}.run(t).mustOK(t)
	second.noSecrets(t, password, secret)
	if second.get("output", "parent") != first.get("snapshot") || second.num("output", "stats", "files_unchanged") != 4 {
		t.Errorf("second save: parent %v, stats %v", second.get("output", "parent"), second.get("output", "stats"))
	}

	restore := step{dir: ws, env: merge(drone, map[string]string{"PLUGIN_COMMAND": "restore", "PLUGIN_TARGET": "restored", "PLUGIN_PATHS": ""})}.run(t).mustOK(t)
	restore.noSecrets(t, password, secret)
	for _, dir := range []string{"node_modules", ".cache"} {
		if diff := testrepo.Equal(t, filepath.Join(ws, dir), filepath.Join(ws, "restored", dir)); diff != "" {
			t.Errorf("restored %s: %s", dir, diff)
		}
	}

	// Wrong keys: an error naming the problem, never the keys.
	bad := step{dir: ws, env: merge(woodpecker, map[string]string{"PLUGIN_S3_SECRET_KEY": "wrong-" + secret, "PLUGIN_INIT": ""})}.run(t)
	if bad.code != cli.ExitAccessRefused || bad.get("status") != "access_refused" {
		t.Errorf("wrong secret key: exit %d, result %s", bad.code, bad.resultRaw)
	}
	bad.noSecrets(t, password, secret)
}
