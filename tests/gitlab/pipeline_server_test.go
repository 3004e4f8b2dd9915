package gitlab

import (
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// TestPipelineServerRepository runs the project pipeline against a real
// `savepoint serve` over TLS with a self-signed certificate: every
// component gets an append token through its server_token input (a
// variable reference, never the token) and the CA through server_ca_file.
// The save job's init creates the repository on the server; the token
// shows nowhere in the log, nor in the server's.
func TestPipelineServerRepository(t *testing.T) {
	srv, cert := testserver.StartTLS(t, t.TempDir())
	token := srv.Token("components", "append")
	url := srv.Repo("components")
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("server URL %s", url)
	}
	run := runPipeline(t, map[string]string{"SAVEPOINT_TEST_REPOSITORY": url, "SAVEPOINT_TEST_TOKEN": token, "SAVEPOINT_TEST_CA_FILE": cert})
	checkRun(t, run)
	env := map[string]string{"SAVEPOINT_TOKEN": token, "SAVEPOINT_SERVER_CA_FILE": cert}
	checkRepository(t, run, url, func(k string) string { return env[k] })
	secret := testserver.Secret(token)
	if strings.Contains(run.output, secret) || strings.Contains(srv.Logs(), secret) {
		t.Errorf("the token appears in the pipeline's or the server's log")
	}
}
