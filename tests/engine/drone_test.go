package engine

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/doctest"
	"github.com/savepoint-ci/savepoint/internal/testenv"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// distTree writes the build output the pipelines hand over.
func distTree(t *testing.T, ws string) {
	t.Helper()
	testrepo.WriteFile(t, ws, "dist/shop.bin", testrepo.Random(1<<20))
	testrepo.WriteFile(t, ws, "dist/static/app.js", []byte("console.log('shop')\n"))
	testrepo.WriteFile(t, ws, "dist/VERSION", []byte("1.4.2\n"))
}

// TestPluginPipelines runs the hand-over examples of drone/docs.md, Drone's
// and Woodpecker's: the save step in one container on one workspace, the
// restore step in another container on a fresh workspace, against MinIO.
func TestPluginPipelines(t *testing.T) {
	t.Parallel()
	im := requireEngine(t)
	m := testenv.RequireMinIO(t)
	secrets := map[string]string{
		"s3_endpoint": "http://" + m.Endpoint, "s3_access_key": m.AccessKey, "s3_secret_key": m.SecretKey,
		"savepoint_password": password,
	}
	sha := randomHex(20)
	runners := map[string]pluginRunner{
		"Drone: hand the build output to a later pipeline": {drone: true, workspace: "/drone/src", secrets: secrets, meta: map[string]string{
			"CI": "true", "DRONE": "true", "DRONE_REPO": "acme/shop", "DRONE_COMMIT_SHA": sha, "DRONE_COMMIT_BRANCH": "main",
			"DRONE_BUILD_NUMBER": "17", "DRONE_BUILD_EVENT": "push", "DRONE_WORKSPACE": "/drone/src",
		}},
		"Woodpecker: the same with two workflows": {workspace: "/woodpecker/src/git.example.com/acme/shop", secrets: secrets, meta: map[string]string{
			"CI": "woodpecker", "CI_REPO": "acme/shop", "CI_COMMIT_SHA": sha[:39] + "w", "CI_COMMIT_BRANCH": "main",
			"CI_PIPELINE_NUMBER": "18", "CI_PIPELINE_EVENT": "push", "CI_WORKSPACE": "/woodpecker/src/git.example.com/acme/shop",
		}},
	}
	headings := make([]string, 0, len(runners))
	for h := range runners {
		headings = append(headings, h)
	}
	sort.Strings(headings)
	for _, heading := range headings {
		r := runners[heading]
		t.Run(strings.TrimSuffix(strings.Fields(heading)[0], ":"), func(t *testing.T) {
			var pipelines []map[string]any
			for _, text := range doctest.Under(t, "drone/docs.md", heading, "yaml") {
				pipelines = append(pipelines, r.pipelines(t, text)...)
			}
			if len(pipelines) != 2 {
				t.Fatalf("%d pipelines, want build and test", len(pipelines))
			}
			for _, p := range pipelines {
				for _, s := range p["steps"].([]any) {
					if img := s.(map[string]any)["image"]; img != im.plugin {
						t.Errorf("step image %v, want the plugin image %s", img, im.plugin)
					}
				}
			}
			build := t.TempDir()
			distTree(t, build)
			saved := r.run(t, pipelines[0], build)[0]
			if saved.code != 0 || saved.json["status"] != "ok" || saved.json["command"] != "save" {
				t.Fatalf("save: exit %d, result %s", saved.code, saved.raw)
			}
			id, _ := saved.json["snapshot"].(string)
			meta, _ := saved.json["metadata"].(map[string]any)
			platform := map[bool]string{true: "drone", false: "woodpecker"}[r.drone]
			if len(id) != 64 || meta["platform"] != platform || meta["event"] != "push" {
				t.Errorf("save result: snapshot %q, metadata %v (want platform %s)", id, meta, platform)
			}

			fresh := t.TempDir()
			restored := r.run(t, pipelines[1], fresh)[0]
			if restored.code != 0 || restored.json["status"] != "ok" || restored.json["command"] != "restore" || restored.json["snapshot"] != id {
				t.Fatalf("restore: exit %d, result %s (want snapshot %s)", restored.code, restored.raw, id)
			}
			if diff := testrepo.Equal(t, filepath.Join(build, "dist"), filepath.Join(fresh, "dist")); diff != "" {
				t.Errorf("restored dist differs: %s", diff)
			}
			for _, s := range []stepRun{saved, restored} {
				for _, secret := range []string{password, m.SecretKey} {
					if strings.Contains(s.output()+s.raw, secret) {
						t.Errorf("a secret shows in a step's log or result.json")
					}
				}
			}
		})
	}
}
