package server

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/server/jobs"
	"github.com/savepoint-ci/savepoint/core/server/schedules"
	"github.com/savepoint-ci/savepoint/internal/doctest"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

const farPassword = "far-site-password"

// sites is a near server (repository app, saved into by CI) and a far one
// holding the password of its repository farRepo (another password than
// app's), with the sync job's secret files on the far host: a read token
// of the near server and app's password.
type sites struct {
	near, far         *testserver.Server
	farRepo           string
	readToken         string
	tokenFile, pwFile string
	farAdmin          string
	work, site        string
}

func startSites(t *testing.T, farRepo string, farArgs ...string) *sites {
	t.Helper()
	s := &sites{work: t.TempDir(), farRepo: farRepo}
	s.near = testserver.Start(t, testserver.Options{})
	initRepo(t, s.near, "app", s.near.Token("app", "admin"))
	pwDir := t.TempDir()
	writeFile(t, filepath.Join(pwDir, farRepo), []byte(farPassword+"\n"))
	s.far = testserver.Start(t, testserver.Options{Args: append([]string{"--password-dir", pwDir}, farArgs...)})
	s.farAdmin = s.far.Token(farRepo, "admin")
	initRepoWith(t, s.far, farRepo, s.farAdmin, 0, farPassword)
	secrets := t.TempDir()
	s.readToken = s.near.Token("app", "read")
	s.tokenFile, s.pwFile = filepath.Join(secrets, "near-read.token"), filepath.Join(secrets, "near-app.password")
	writeFile(t, s.tokenFile, []byte(s.readToken+"\n"))
	writeFile(t, s.pwFile, []byte(password+"\n"))
	s.site = filepath.Join(s.work, "site")
	testrepo.WriteFile(t, s.site, "index.html", []byte("<h1>release 1</h1>\n"))
	testrepo.WriteFile(t, s.site, "assets/app.bin", testrepo.Random(300<<10))
	testrepo.WriteFile(t, s.site, "assets/big.bin", testrepo.Random(2<<20))
	return s
}

// save saves dir into app on the near server with an append token, as CI
// does, as a snapshot of name.
func (s *sites) save(t *testing.T, name, dir string) {
	t.Helper()
	ci := newClient(t, s.near, "app", s.near.Token("app", "append"))
	cmd := ci.command("save", "--name", name, filepath.Base(dir))
	cmd.Dir = filepath.Dir(dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("save: %v\n%s", err, out)
	}
}

func (s *sites) spec() jobs.Spec {
	return jobs.Spec{Kind: jobs.KindSync, From: jobs.SyncSource{Repo: s.near.Repo("app"), TokenFile: s.tokenFile, PasswordFile: s.pwFile},
		Name: "deploy", Latest: 2}
}

// TestSyncJob: a sync job on the far server pulls the near server's
// snapshots with a read token; a second run moves nothing; the API lists
// the job without its secrets, the logs hold none, the metrics move; with
// the near server stopped the far copy restores byte-identical and
// verifies clean.
func TestSyncJob(t *testing.T) {
	s := startSites(t, "far")
	s.save(t, "deploy", s.site)
	s.save(t, "other", s.site) // not selected: another name
	admin := newAPI(t, s.far, s.farAdmin)

	j := admin.wait(admin.start("far", s.spec()).ID, 2*time.Minute)
	res := jobs.SyncResultOf(j)
	if j.State != jobs.StateSucceeded || res == nil || len(res.Copied) != 1 || res.Present != 0 || res.Bytes < 2<<20 {
		t.Fatalf("the first sync: %+v, result %+v", j, res)
	}
	j2 := admin.wait(admin.start("far", s.spec()).ID, 2*time.Minute)
	res2 := jobs.SyncResultOf(j2)
	if j2.State != jobs.StateSucceeded || res2 == nil || len(res2.Copied) != 0 || res2.Present != 1 || res2.Bytes != 0 {
		t.Fatalf("the second sync, with nothing new: %+v, result %+v", j2, res2)
	}

	// The API lists both jobs, with the files' paths and neither secret.
	var list []jobs.Job
	admin.ok(http.StatusOK, "GET", "/api/v1/repositories/far/jobs", nil, &list)
	if len(list) != 2 || list[0].Spec.Kind != jobs.KindSync || list[0].Spec.From.TokenFile != s.tokenFile {
		t.Errorf("jobs listed: %+v", list)
	}
	var raw json.RawMessage
	admin.ok(http.StatusOK, "GET", "/api/v1/jobs/"+j.ID, nil, &raw)
	secret := s.readToken[strings.LastIndex(s.readToken, "_")+1:]
	for what, text := range map[string]string{"the job": string(raw), "the far server's log": s.far.Logs(), "the near server's log": s.near.Logs()} {
		if strings.Contains(text, secret) || strings.Contains(text, password) || strings.Contains(text, farPassword) {
			t.Errorf("%s holds a secret", what)
		}
	}

	m := scrape(t, s.far, s.far.Token("*", "read"))
	src := s.near.Repo("app")
	if got := m.get("savepoint_sync_bytes_total", "repository", "far", "source", src); got != float64(res.Bytes) {
		t.Errorf("savepoint_sync_bytes_total %v, want the first sync's %d bytes", got, res.Bytes)
	}
	if got := m.get("savepoint_sync_last_success_timestamp_seconds", "repository", "far", "source", src); got != float64(j2.Finished.UnixMilli())/1e3 {
		t.Errorf("savepoint_sync_last_success_timestamp_seconds %v, want the second sync's end %s", got, j2.Finished)
	}
	if got := m.get("savepoint_jobs_total", "kind", "sync", "result", "succeeded"); got != 2 {
		t.Errorf("sync jobs counted: %v, want 2", got)
	}

	// The near site is lost: the far copy restores and verifies alone.
	s.near.Stop()
	far := newClient(t, s.far, "far", s.far.Token("far", "read"))
	far.env = []string{"SAVEPOINT_PASSWORD=" + farPassword}
	target := filepath.Join(t.TempDir(), "restored")
	far.ok("restore", "--target", target, "deploy:latest")
	if d := testrepo.Equal(t, s.site, filepath.Join(target, "site")); d != "" {
		t.Fatalf("the far copy restores differently: %s", d)
	}
	far.ok("verify", "--read-data")
}

// TestSyncRefused: a sync whose token the source refuses fails with code
// refused and one line naming the source; a token file that holds no
// token sends nothing; the failure is counted.
func TestSyncRefused(t *testing.T) {
	s := startSites(t, "far")
	s.save(t, "deploy", s.site)
	admin := newAPI(t, s.far, s.farAdmin)
	writeFile(t, s.tokenFile, []byte("spt_0123456789abcdef_"+strings.Repeat("A", 43)+"\n"))
	j := admin.wait(admin.start("far", s.spec()).ID, time.Minute)
	if j.State != jobs.StateFailed || j.Code != jobs.CodeRefused || strings.Contains(j.Error, "\n") ||
		!strings.Contains(j.Error, s.near.Repo("app")) || !strings.Contains(j.Error, "token") {
		t.Errorf("a sync with an unknown token: state %s, code %q, error %q", j.State, j.Code, j.Error)
	}
	t.Logf("refused: %s", j.Error)
	writeFile(t, s.tokenFile, []byte("not a token\n"))
	j = admin.wait(admin.start("far", s.spec()).ID, time.Minute)
	if j.State != jobs.StateFailed || j.Code != jobs.CodeInvalid || !strings.Contains(j.Error, "holds no savepoint token") {
		t.Errorf("a sync with no token in its file: state %s, code %q, error %q", j.State, j.Code, j.Error)
	}
	if strings.Contains(s.near.Logs(), "not a token") {
		t.Error("the file's content reached the source")
	}
	m := scrape(t, s.far, s.far.Token("*", "read"))
	if got := m.get("savepoint_jobs_total", "kind", "sync", "result", "failed"); got != 2 {
		t.Errorf("failed sync jobs counted: %v, want 2", got)
	}
	if got := m.get("savepoint_sync_last_success_timestamp_seconds", "repository", "far", "source", s.near.Repo("app")); got != -1 {
		t.Errorf("a last successful sync without one: %v", got)
	}
}

// TestDocSync runs the examples of "Sync jobs: a second site": the read
// token made on the near host, then on the far host the secret files, a
// first pull followed with --wait, and the nightly schedule, which fires
// at 02:00 on the far server's clock (serve --test-clock) and pulls the
// snapshot saved since.
func TestDocSync(t *testing.T) {
	bin := testserver.Binary(t)
	blocks := docBlocks(t, "Sync jobs", "sh")
	clock := filepath.Join(t.TempDir(), "now")
	writeFile(t, clock, []byte("2030-01-01T01:59:00Z"))
	s := startSites(t, "app", "--test-clock", clock)
	s.save(t, "deploy", s.site)
	work, secrets := t.TempDir(), filepath.Join(t.TempDir(), "near")
	writeFile(t, filepath.Join(work, "near-app.password"), []byte(password+"\n"))
	writeFile(t, filepath.Join(work, "far-admin.token"), []byte(s.farAdmin+"\n"))
	replace := strings.NewReplacer("https://near.example.com:8417", s.near.URL, "https://far.example.com:8417", s.far.URL,
		"/srv/savepoint", s.near.Storage, "/etc/savepoint/near", secrets)
	if out, err := runScript(t, bin, work, replace.Replace(blocks[0])); err != nil {
		t.Fatalf("the near host's example: %v\n%s", err, out)
	}
	out, err := runScript(t, bin, work, replace.Replace(blocks[1]))
	if err != nil || !strings.Contains(out, "succeeded") {
		t.Fatalf("the far host's example: %v\n%s", err, out)
	}
	if fi, err := os.Stat(filepath.Join(secrets, "read.token")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the token file: %v %v", fi, err)
	}
	admin := newAPI(t, s.far, s.farAdmin)
	var scheds []schedules.Schedule
	admin.ok(http.StatusOK, "GET", "/api/v1/repositories/app/schedules", nil, &scheds)
	if len(scheds) != 1 || scheds[0].Spec.Kind != jobs.KindSync || scheds[0].Spec.Latest != 3 || scheds[0].Spec.Keep.Daily != 30 {
		t.Fatalf("schedules: %+v", scheds)
	}
	testrepo.WriteFile(t, s.site, "index.html", []byte("<h1>release 2</h1>\n"))
	s.save(t, "deploy", s.site)
	writeFile(t, clock, []byte("2030-01-01T02:00:05Z"))
	j := admin.fired(scheds[0].ID)
	if res := jobs.SyncResultOf(j); j.State != jobs.StateSucceeded || res == nil || len(res.Copied) != 1 || res.Present != 1 {
		t.Fatalf("the nightly sync: %+v", j)
	}
}

// fired waits until schedule id has started a job, then for that job's
// end, and returns it.
func (a *apiClient) fired(id string) jobs.Job {
	a.t.Helper()
	var sc schedules.Schedule
	for deadline := time.Now().Add(30 * time.Second); sc.LastJob == "" && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
		a.ok(http.StatusOK, "GET", "/api/v1/schedules/"+id, nil, &sc)
	}
	if sc.LastJob == "" {
		a.t.Fatalf("schedule %s did not start its job: %+v", id, sc)
	}
	return a.wait(sc.LastJob, 2*time.Minute)
}

// TestDocCopySync runs the example of docs/copy.md's "Server sync jobs":
// on the far host the password files, the read token, the nightly sync
// and the weekly prune schedules; the sync fires at 02:00 on the far
// server's clock and copies the near site's dist snapshot.
func TestDocCopySync(t *testing.T) {
	bin := testserver.Binary(t)
	block := doctest.Under(t, "docs/copy.md", "Server sync jobs", "sh")[0]
	clock := filepath.Join(t.TempDir(), "now")
	writeFile(t, clock, []byte("2030-01-01T01:59:00Z"))
	etc := t.TempDir()
	pwDir, secrets := filepath.Join(etc, "passwords"), filepath.Join(etc, "near")
	near := testserver.Start(t, testserver.Options{})
	initRepo(t, near, "app", near.Token("app", "admin"))
	far := testserver.Start(t, testserver.Options{Args: []string{"--password-dir", pwDir, "--test-clock", clock}})
	farAdmin := far.Token("app", "admin")
	initRepoWith(t, far, "app", farAdmin, 0, farPassword)
	work := t.TempDir()
	testrepo.WriteFile(t, work, "dist/app.bin", testrepo.Random(200<<10))
	newClient(t, near, "app", near.Token("app", "append")).ok("save", "--name", "dist", filepath.Join(work, "dist"))
	writeFile(t, filepath.Join(work, "near-read.token"), []byte(near.Token("app", "read")+"\n"))
	writeFile(t, filepath.Join(work, "far-admin.token"), []byte(farAdmin+"\n"))
	replace := strings.NewReplacer("https://backup-near.example.com:8417", near.URL, "https://backup-far.example.com:8417", far.URL,
		"/etc/savepoint/passwords", pwDir, "/etc/savepoint/near", secrets)
	if out, err := runScript(t, bin, work, replace.Replace(block), "FAR_PASSWORD="+farPassword, "NEAR_PASSWORD="+password); err != nil {
		t.Fatalf("the example: %v\n%s", err, out)
	}
	admin := newAPI(t, far, farAdmin)
	var scheds []schedules.Schedule
	admin.ok(http.StatusOK, "GET", "/api/v1/repositories/app/schedules", nil, &scheds)
	var syncID string
	kinds := map[jobs.Kind]bool{}
	for _, sc := range scheds {
		kinds[sc.Spec.Kind] = true
		if sc.Spec.Kind == jobs.KindSync {
			syncID = sc.ID
		}
	}
	if len(scheds) != 2 || !kinds[jobs.KindSync] || !kinds[jobs.KindPrune] {
		t.Fatalf("schedules: %+v", scheds)
	}
	writeFile(t, clock, []byte("2030-01-01T02:00:05Z"))
	j := admin.fired(syncID)
	if res := jobs.SyncResultOf(j); j.State != jobs.StateSucceeded || res == nil || len(res.Copied) != 1 || res.Forget == nil {
		t.Fatalf("the nightly sync: %+v", j)
	}
}
