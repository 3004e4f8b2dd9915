package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/savepoint-ci/savepoint/internal/promtest"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// scrape reads the server's /metrics with token and parses them with the
// Prometheus text parser.
func scrape(t *testing.T, srv *testserver.Server, token string) metricSet {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	return metricSet(fams)
}

type metricSet map[string]*dto.MetricFamily

// get returns the value of the series name{labels}, or -1 (promtest.Value).
func (m metricSet) get(name string, labels ...string) float64 {
	f := m[name]
	if f == nil {
		return -1
	}
	return promtest.Value([]*dto.MetricFamily{f}, name, labels...)
}

// TestMetricsMove scrapes a real server and checks that the figures move:
// a refused request is counted with its status, a save adds a snapshot,
// stored bytes, received bytes and the last save time, forget removes the
// snapshot from the count, a server-side prune counts as a job and sets
// the last prune time, a failed one the last failure time, and both
// survive a restart (they are recorded in the storage).
func TestMetricsMove(t *testing.T) {
	srv := startWithPassword(t, "app")
	admin := srv.Token("app", "admin")
	scraper := srv.Token("*", "read")
	initRepo(t, srv, "app", admin)
	dir := workDir(t)
	job := newClient(t, srv, "app", srv.Token("app", "append"))
	ops := newClient(t, srv, "app", admin)

	m := scrape(t, srv, scraper)
	if got := m.get("savepoint_repository_snapshots", "repository", "app"); got != 0 {
		t.Fatalf("snapshots of a new repository: %v, want 0", got)
	}
	if got := m.get("savepoint_repository_last_save_timestamp_seconds", "repository", "app"); got != -1 {
		t.Errorf("a repository without snapshots has a last save time: %v", got)
	}
	refusedRoute := []string{"route", "/{repo}/maintenance/{op}", "method", "POST", "code", "403"}
	if got := m.get("savepoint_http_requests_total", refusedRoute...); got != -1 {
		t.Fatalf("refused maintenance requests before any: %v", got)
	}

	job.refused("admin", "forget", "--keep-last", "1")
	testrepo.WriteFile(t, dir, "src/a.bin", testrepo.Random(256<<10))
	job.ok("save", "--name", "build", "src")
	m2 := scrape(t, srv, scraper)
	if got := m2.get("savepoint_http_requests_total", refusedRoute...); got != 1 {
		t.Errorf("refused forget requests counted: %v, want 1", got)
	}
	if got := m2.get("savepoint_repository_snapshots", "repository", "app"); got != 1 {
		t.Errorf("snapshots after a save: %v, want 1", got)
	}
	if before, after := m.get("savepoint_repository_stored_bytes", "repository", "app"), m2.get("savepoint_repository_stored_bytes", "repository", "app"); after < before+256<<10 {
		t.Errorf("stored bytes went from %v to %v after saving 256 KiB of random data", before, after)
	}
	put := []string{"route", "/{repo}/{kind}/{name}"}
	if got := m2.get("savepoint_http_received_bytes_total", put...); got < 256<<10 {
		t.Errorf("received bytes on the object route: %v, want at least 256 KiB", got)
	}
	if got := m2.get("savepoint_http_sent_bytes_total", "route", "/{repo}/{kind}/{$}"); got <= 0 {
		t.Errorf("sent bytes on the list route: %v", got)
	}
	if got := m2.get("savepoint_http_request_duration_seconds", "route", "/{repo}/{kind}/{name}", "method", "PUT"); got < 3 {
		t.Errorf("PUT latencies observed: %v, want one per object stored (at least 3)", got)
	}
	lastSave := m2.get("savepoint_repository_last_save_timestamp_seconds", "repository", "app")
	if lastSave <= 0 {
		t.Errorf("no last save time after a save: %v", lastSave)
	}

	job.ok("save", "--name", "build", "src")
	ops.ok("forget", "--keep-last", "1")
	ops.ok("prune")
	m3 := scrape(t, srv, scraper)
	if got := m3.get("savepoint_repository_snapshots", "repository", "app"); got != 1 {
		t.Errorf("snapshots after a second save and forget --keep-last 1: %v, want 1", got)
	}
	if got := m3.get("savepoint_repository_last_save_timestamp_seconds", "repository", "app"); got < lastSave {
		t.Errorf("last save time went back: %v < %v", got, lastSave)
	}
	for _, kind := range []string{"forget", "prune"} {
		if got := m3.get("savepoint_jobs_total", "kind", kind, "result", "succeeded"); got != 1 {
			t.Errorf("%s jobs succeeded: %v, want 1", kind, got)
		}
		if got := m3.get("savepoint_job_duration_seconds", "kind", kind, "result", "succeeded"); got != 1 {
			t.Errorf("%s durations observed: %v, want 1", kind, got)
		}
	}
	lastPrune := m3.get("savepoint_repository_last_prune_timestamp_seconds", "repository", "app")
	if lastPrune < lastSave {
		t.Errorf("last prune time %v, want one after the first save (%v)", lastPrune, lastSave)
	}

	// A lease object that is not a lease makes the next prune fail.
	putObject(t, srv, admin, "app", "lease", "prune", []byte("not a lease"))
	if code, _, _ := ops.run("prune"); code == 0 {
		t.Fatal("prune succeeded with a damaged lease")
	}
	m4 := scrape(t, srv, scraper)
	if got := m4.get("savepoint_jobs_total", "kind", "prune", "result", "failed"); got != 1 {
		t.Errorf("failed prune jobs: %v, want 1", got)
	}
	failed := m4.get("savepoint_repository_last_prune_failure_timestamp_seconds", "repository", "app")
	if failed < lastPrune {
		t.Errorf("last prune failure %v, want after the last success %v", failed, lastPrune)
	}

	srv.Restart()
	m5 := scrape(t, srv, scraper)
	if got := m5.get("savepoint_repository_last_prune_timestamp_seconds", "repository", "app"); got != lastPrune {
		t.Errorf("last prune time after a restart: %v, want %v", got, lastPrune)
	}
	if got := m5.get("savepoint_repository_last_prune_failure_timestamp_seconds", "repository", "app"); got != failed {
		t.Errorf("last prune failure after a restart: %v, want %v", got, failed)
	}
	if got := m5.get("savepoint_repository_snapshots", "repository", "app"); got != 1 {
		t.Errorf("snapshots after a restart: %v, want 1", got)
	}
	if got := m5.get("savepoint_jobs_total", "kind", "prune", "result", "failed"); got != -1 {
		t.Errorf("job counters are per process, yet a restarted server reports %v failed prunes", got)
	}
}

// TestMetricsNeedToken: /metrics names every repository, so it needs a
// token for all of them.
func TestMetricsNeedToken(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	for _, c := range []struct {
		token string
		want  int
	}{
		{"", http.StatusUnauthorized},
		{"spt_0000000000000000_" + fmt.Sprintf("%043d", 0), http.StatusUnauthorized},
		{srv.Token("app", "admin"), http.StatusForbidden},
		{srv.Token("*", "read"), http.StatusOK},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/metrics", nil)
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("GET /metrics with token %.20q: %s, want %d", c.token, resp.Status, c.want)
		}
	}
}

// putObject stores an object through the server's protocol with token.
func putObject(t *testing.T, srv *testserver.Server, token, repo, kind, name string, data []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, srv.Repo(repo)+"/"+kind+"/"+name, bytes.NewReader(data))
	req.Header.Set("Authorization", "Bearer "+token)
	sum := sha256.Sum256(data)
	req.Header.Set("X-Savepoint-Content-Sha256", hex.EncodeToString(sum[:]))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("PUT %s/%s: %s", kind, name, resp.Status)
	}
}
