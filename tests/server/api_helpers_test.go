package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	apiclient "github.com/savepoint-ci/savepoint/core/server/client"
	"github.com/savepoint-ci/savepoint/core/server/jobs"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// apiClient calls the management API with one token, as curl would.
type apiClient struct {
	t     *testing.T
	base  string
	token string
}

func newAPI(t *testing.T, srv *testserver.Server, token string) *apiClient {
	return &apiClient{t: t, base: srv.URL, token: token}
}

// call sends a request (body as JSON when not nil), decodes a JSON answer
// into out when given, and returns the status.
func (a *apiClient) call(method, path string, body, out any) int {
	a.t.Helper()
	req, err := apiclient.NewRequest(context.Background(), method, a.base+path, a.token, body)
	if err != nil {
		a.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(data, out); err != nil {
			a.t.Fatalf("%s %s: %v\n%s", method, path, err, data)
		}
	}
	if resp.StatusCode/100 != 2 {
		a.t.Logf("%s %s: HTTP %d %s", method, path, resp.StatusCode, data)
	}
	return resp.StatusCode
}

// ok calls and fails the test unless the status is want.
func (a *apiClient) ok(want int, method, path string, body, out any) {
	a.t.Helper()
	if got := a.call(method, path, body, out); got != want {
		a.t.Fatalf("%s %s: HTTP %d, want %d", method, path, got, want)
	}
}

// start starts a job and returns it.
func (a *apiClient) start(repo string, spec jobs.Spec) jobs.Job {
	a.t.Helper()
	var j jobs.Job
	a.ok(http.StatusAccepted, "POST", "/api/v1/repositories/"+repo+"/jobs", spec, &j)
	return j
}

// wait polls job id until it is over or d passes.
func (a *apiClient) wait(id string, d time.Duration) jobs.Job {
	a.t.Helper()
	deadline := time.Now().Add(d)
	for {
		var j jobs.Job
		a.ok(http.StatusOK, "GET", "/api/v1/jobs/"+id, nil, &j)
		if j.State.Final() {
			return j
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("job %s still %s after %s: %+v", id, j.State, d, j)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// startManaged starts a server holding the password of repository app
// (see startWithPassword), with more serve flags, and creates app.
func startManaged(t *testing.T, args ...string) *testserver.Server {
	t.Helper()
	srv := startWithPassword(t, "app", args...)
	initRepo(t, srv, "app", srv.Token("app", "admin"))
	return srv
}
