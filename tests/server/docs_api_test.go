package server

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/testrepo"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// TestDocAPI runs the examples of "Management API, jobs and schedules":
// the curl calls, the remote jobs and the schedules, against a real
// server holding the password of repository app.
func TestDocAPI(t *testing.T) {
	bin := testserver.Binary(t)
	apiBlock := docBlocks(t, "Management API, jobs and schedules", "sh")[0]
	jobsBlock := docBlocks(t, "Jobs", "sh")[0]
	schedBlock := docBlocks(t, "Schedules", "sh")[0]
	srv := startManaged(t)
	work := workDir(t)
	testrepo.WriteFile(t, work, "srv/www/index.html", []byte("<h1>hi</h1>"))
	job := newClient(t, srv, "app", srv.Token("app", "append"))
	job.ok("save", "--name", "www", "--provenance", "branch=main", "srv")
	os.WriteFile(filepath.Join(work, "admin.token"), []byte(srv.Token("app", "admin")+"\n"), 0o600)
	etc := filepath.Join(work, "etc-app")
	testrepo.WriteFile(t, etc, "app.conf", []byte("listen = 80\n"))
	restoreDir := filepath.Join(work, "restore")
	replace := strings.NewReplacer(exampleURL, srv.URL, "/etc/app", etc, "/srv/restore", restoreDir)

	out, err := runScript(t, bin, work, replace.Replace(apiBlock))
	if err != nil {
		t.Fatalf("the curl examples: %v\n%s", err, out)
	}
	for _, want := range []string{`"status":"ok"`, `"name":"app"`, `"managed":true`, `"branch":"main"`, `"name":"www"`, `"kind":"verify"`, `"state":"running"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the curl examples' output lacks %s:\n%s", want, out)
		}
	}
	out, err = runScript(t, bin, work, replace.Replace(jobsBlock))
	if err != nil {
		t.Fatalf("the jobs example: %v\n%s", err, out)
	}
	if d := testrepo.Equal(t, etc, filepath.Join(restoreDir, strings.TrimPrefix(etc, "/"))); d != "" {
		t.Errorf("the restore job of the example: %s", d)
	}
	if strings.Count(out, "succeeded") < 5 { // three followed jobs, then the list
		t.Errorf("the jobs example's output:\n%s", out)
	}
	out, err = runScript(t, bin, work, replace.Replace(schedBlock))
	if err != nil || !regexp.MustCompile(`(?m)^s[0-9a-f]+\s+app\s+prune\s+0 3 \* \* \*\s+\S+T03:00:00Z`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^s[0-9a-f]+\s+app\s+verify\s+@weekly`).MatchString(out) {
		t.Fatalf("the schedules example: %v\n%s", err, out)
	}
}
