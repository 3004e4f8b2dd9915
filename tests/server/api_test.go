package server

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/savepoint-ci/savepoint/core/server/jobs"
	"github.com/savepoint-ci/savepoint/core/server/service"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/tree"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// TestOpenAPIDocument: the document the server serves is valid OpenAPI
// 3.1 (kin-openapi) and describes every operation of the API.
func TestOpenAPIDocument(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	resp, err := http.Get(srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("openapi.json: HTTP %d", resp.StatusCode)
	}
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPIMajorMinor() != "3.1" {
		t.Errorf("the document is OpenAPI %s, want 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(t.Context()); err != nil {
		t.Fatalf("the document is not valid: %v", err)
	}
	ops := map[string]bool{}
	for _, p := range doc.Paths.Map() {
		for _, op := range p.Operations() {
			ops[op.OperationID] = true
		}
	}
	// The sync job's spec is described: its source, and the kind and
	// code it adds.
	spec := doc.Components.Schemas["Spec"]
	if spec == nil || spec.Value.Properties["from"] == nil || !slices.Contains(spec.Value.Properties["kind"].Value.Enum, any("sync")) ||
		doc.Components.Schemas["SyncSource"] == nil {
		t.Error("the document does not describe the sync job's spec")
	}
	for _, id := range []string{"healthz", "readyz", "list-repositories", "get-repository", "list-snapshots", "get-snapshot",
		"list-snapshot-tree", "diff-snapshots", "start-job", "get-job", "cancel-job", "list-jobs", "list-repository-jobs",
		"add-schedule", "list-schedules", "remove-schedule", "list-tokens", "create-token", "revoke-token"} {
		if !ops[id] {
			t.Errorf("operation %s is not in the document", id)
		}
	}
}

// TestAPIRepositoriesAndSnapshots: what a read token sees of a repository
// whose password the server holds (snapshots with filters, show, tree,
// diff, figures) and of one whose password it does not hold (objects,
// bytes, last write); tokens that do not cover a repository see nothing
// of it.
func TestAPIRepositoriesAndSnapshots(t *testing.T) {
	srv := startManaged(t)
	initRepo(t, srv, "blind", srv.Token("blind", "admin"))
	work := workDir(t)
	job := newClient(t, srv, "app", srv.Token("app", "append"))
	testrepo.WriteFile(t, work, "site/index.html", []byte("<h1>v1</h1>"))
	testrepo.WriteFile(t, work, "site/img/logo.bin", testrepo.Random(64<<10))
	job.ok("save", "--name", "site", "--provenance", "branch=main", "--provenance", "commit=abc1234", "site")
	testrepo.WriteFile(t, work, "site/about.html", []byte("<h1>about</h1>"))
	job.ok("save", "--name", "site", "--provenance", "branch=next", "--provenance", "environment=staging", "site")
	blindJob := newClient(t, srv, "blind", srv.Token("blind", "append"))
	blindJob.ok("save", "--name", "x", "site")

	anon := newAPI(t, srv, "")
	anon.ok(http.StatusUnauthorized, "GET", "/api/v1/repositories", nil, nil)
	anon.ok(http.StatusOK, "GET", "/healthz", nil, nil)
	anon.ok(http.StatusOK, "GET", "/readyz", nil, nil)

	reader := newAPI(t, srv, srv.Token("*", "read"))
	var repos []service.Repository
	reader.ok(http.StatusOK, "GET", "/api/v1/repositories", nil, &repos)
	if len(repos) != 2 || repos[0].Name != "app" || !repos[0].Managed || repos[1].Name != "blind" || repos[1].Managed {
		t.Fatalf("repositories: %+v", repos)
	}
	var blind service.RepositoryStats
	reader.ok(http.StatusOK, "GET", "/api/v1/repositories/blind", nil, &blind)
	if blind.Objects == 0 || blind.StoredBytes == 0 || blind.LastWrite.IsZero() || blind.LastSave.IsZero() || blind.Snapshots != 1 || blind.LogicalBytes != 0 || blind.Kinds["snapshots"].Objects != 1 {
		t.Errorf("a repository without the password: %+v", blind)
	}
	reader.ok(http.StatusConflict, "GET", "/api/v1/repositories/blind/snapshots", nil, nil)
	var app service.RepositoryStats
	reader.ok(http.StatusOK, "GET", "/api/v1/repositories/app", nil, &app)
	if app.Snapshots != 2 || app.LogicalBytes < 2*(64<<10) || app.DedupRatio <= 1 {
		t.Errorf("a managed repository's figures: %+v", app)
	}

	var all, main, staging, byName []snapshot.Summary
	reader.ok(http.StatusOK, "GET", "/api/v1/repositories/app/snapshots", nil, &all)
	reader.ok(http.StatusOK, "GET", "/api/v1/repositories/app/snapshots?branch=main&commit=abc1", nil, &main)
	reader.ok(http.StatusOK, "GET", "/api/v1/repositories/app/snapshots?environment=staging", nil, &staging)
	reader.ok(http.StatusOK, "GET", "/api/v1/repositories/app/snapshots?name=other", nil, &byName)
	if len(all) != 2 || len(main) != 1 || main[0].ID != all[0].ID || len(staging) != 1 || staging[0].ID != all[1].ID || len(byName) != 0 {
		t.Fatalf("snapshot filters: all %d, main %v, staging %v, other name %d", len(all), main, staging, len(byName))
	}
	var one snapshot.Summary
	reader.ok(http.StatusOK, "GET", "/api/v1/repositories/app/snapshots/"+all[1].ShortID, nil, &one)
	if one.ID != all[1].ID || one.Provenance["environment"] != "staging" {
		t.Errorf("show: %+v", one)
	}
	reader.ok(http.StatusNotFound, "GET", "/api/v1/repositories/app/snapshots/ffffffff", nil, nil)
	var top, img []service.TreeEntry
	reader.ok(http.StatusOK, "GET", "/api/v1/repositories/app/snapshots/latest/tree", nil, &top)
	reader.ok(http.StatusOK, "GET", "/api/v1/repositories/app/snapshots/latest/tree?path=site/img", nil, &img)
	if len(top) != 1 || top[0].Name != "site" || top[0].Type != "dir" || len(img) != 1 || img[0].Size != 64<<10 || img[0].Path != "site/img/logo.bin" {
		t.Errorf("tree: top %+v, site/img %+v", top, img)
	}
	reader.ok(http.StatusNotFound, "GET", "/api/v1/repositories/app/snapshots/latest/tree?path=nothing", nil, nil)
	var diff []tree.Change
	reader.ok(http.StatusOK, "GET", "/api/v1/repositories/app/diff?from="+all[0].ShortID+"&to="+all[1].ShortID, nil, &diff)
	found := false
	for _, c := range diff {
		found = found || c == tree.Change{Change: tree.Added, Path: "site/about.html"}
		if c.Change == tree.Removed || c.Path == "site/index.html" || c.Path == "site/img/logo.bin" {
			t.Errorf("diff shows an unchanged file changed: %+v", c)
		}
	}
	if !found {
		t.Errorf("diff does not show site/about.html added: %+v", diff)
	}

	// A token for app sees app only; read tokens start nothing.
	appReader := newAPI(t, srv, srv.Token("app", "read"))
	var mine []service.Repository
	appReader.ok(http.StatusOK, "GET", "/api/v1/repositories", nil, &mine)
	if len(mine) != 1 || mine[0].Name != "app" {
		t.Errorf("a token for app lists %+v", mine)
	}
	appReader.ok(http.StatusForbidden, "GET", "/api/v1/repositories/blind", nil, nil)
	appReader.ok(http.StatusForbidden, "POST", "/api/v1/repositories/app/jobs", jobs.Spec{Kind: jobs.KindVerify}, nil)
	// An append token (a CI job's) starts no job either: a save job would
	// read the server host's files.
	newAPI(t, srv, srv.Token("app", "append")).ok(http.StatusForbidden, "POST", "/api/v1/repositories/app/jobs", jobs.Spec{Kind: jobs.KindVerify}, nil)
}

// TestAPITokens: admin tokens manage tokens (one for a repository only
// that repository's); the secret is in the create answer only.
func TestAPITokens(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	root := newAPI(t, srv, srv.Token("*", "admin"))
	var created struct {
		Token string `json:"token"`
		ID    string `json:"id"`
		Role  string `json:"role"`
	}
	root.ok(http.StatusCreated, "POST", "/api/v1/tokens", map[string]string{"repository": "app", "role": "admin", "expires": "1d"}, &created)
	if !strings.HasPrefix(created.Token, "spt_"+created.ID+"_") || created.Role != "admin" {
		t.Fatalf("created: %+v", created)
	}
	appAdmin := newAPI(t, srv, created.Token)
	var list []map[string]any
	appAdmin.ok(http.StatusOK, "GET", "/api/v1/tokens", nil, &list)
	if len(list) != 1 || list[0]["id"] != created.ID || list[0]["token"] != nil || list[0]["hash"] != nil {
		t.Errorf("an app admin lists %v", list)
	}
	appAdmin.ok(http.StatusForbidden, "POST", "/api/v1/tokens", map[string]string{"repository": "other", "role": "read"}, nil)
	appAdmin.ok(http.StatusUnprocessableEntity, "POST", "/api/v1/tokens", map[string]string{"repository": "app", "role": "owner"}, nil)
	var ci struct{ Token, ID string }
	appAdmin.ok(http.StatusCreated, "POST", "/api/v1/tokens", map[string]string{"repository": "app", "role": "append"}, &ci)
	newAPI(t, srv, ci.Token).ok(http.StatusForbidden, "GET", "/api/v1/tokens", nil, nil)
	appAdmin.ok(http.StatusOK, "DELETE", "/api/v1/tokens/"+ci.ID, nil, nil)
	out, err := srv.Command("token", "list", "--storage", srv.Storage)
	if err != nil || !strings.Contains(out, ci.ID) || !strings.Contains(out, "revoked") {
		t.Errorf("token list after the API revoked %s: %v\n%s", ci.ID, err, out)
	}
}

// writeFile writes data to path, creating its directory.
func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
