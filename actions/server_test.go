package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/cli"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// TestServerAppendToken runs the action against a real `savepoint serve`
// with an append token in the server_token input, as a pipeline holds it:
// the first save creates the repository, a restore brings the files back,
// forget and prune are refused with exit 14 and one line naming the admin
// role, and the token shows nowhere (it is registered with the runner's
// masking).
func TestServerAppendToken(t *testing.T) {
	srv, token := testserver.StartAppend(t, "app")
	ws := workspace(t)
	base := map[string]string{"repository": srv.Repo("app"), "password": testPassword, "server_token": token}
	secrets := []string{testPassword, token}

	save := newFakeEnv(t).inputs(base).inputs(map[string]string{"paths": "data", "name": "build"}).withDefaults("success")
	save.mustRun("save through the server", false)
	if !strings.Contains(save.log.String(), "::group::savepoint init") || !hexID.MatchString(save.outputs()["snapshot_id"]) {
		t.Errorf("the first save did not create the repository and save:\n%s", save.log.String())
	}
	save.assertNoSecret(secrets...)

	target := t.TempDir()
	restore := newFakeEnv(t).inputs(base).inputs(map[string]string{"command": "restore", "name": "build", "target": target}).withDefaults("success")
	restore.mustRun("restore through the server", false)
	if d := testrepo.Equal(t, filepath.Join(ws, "data"), filepath.Join(target, "data")); d != "" {
		t.Errorf("restored files differ: %s", d)
	}
	restore.assertNoSecret(secrets...)

	for _, c := range []map[string]string{{"command": "forget", "keep_last": "1"}, {"command": "prune"}} {
		f := newFakeEnv(t).inputs(base).inputs(c).withDefaults("success")
		if code := f.run(false); code != cli.ExitAccessRefused {
			t.Errorf("%s with an append token: exit %d, want %d\n%s", c["command"], code, cli.ExitAccessRefused, f.log.String())
		}
		errs := f.errors()
		if len(errs) != 1 || !strings.Contains(errs[0], "needs a token with role admin") || !strings.Contains(errs[0], "has role append") {
			t.Errorf("%s: want one error line naming the admin role, got %q", c["command"], errs)
		}
		f.assertNoSecret(secrets...)
	}
	srv.CheckTokenNotLogged(t, token)
}

// TestServerNoToken: a server repository without a token fails with exit
// 14 and says which input is missing.
func TestServerNoToken(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	workspace(t)
	f := newFakeEnv(t).inputs(map[string]string{"repository": srv.Repo("app"), "password": testPassword, "paths": "data"}).withDefaults("success")
	if code := f.run(false); code != cli.ExitAccessRefused {
		t.Fatalf("save without a token: exit %d, want %d\n%s", code, cli.ExitAccessRefused, f.log.String())
	}
	if errs := f.errors(); len(errs) != 1 || !strings.Contains(errs[0], "set the server_token input") {
		t.Errorf("errors %q", errs)
	}
}

// TestServerTLSCAFile: a server with a self-signed certificate is trusted
// through server_ca_file (a path in the workspace), and not without it.
func TestServerTLSCAFile(t *testing.T) {
	ws := workspace(t)
	srv, ca := testserver.StartTLS(t, ws)
	if !strings.HasPrefix(srv.URL, "https://") {
		t.Fatalf("server URL %s", srv.URL)
	}
	in := map[string]string{"repository": srv.Repo("app"), "password": testPassword, "paths": "data", "server_token": srv.Token("app", "append")}
	f := newFakeEnv(t).inputs(in).withDefaults("success")
	if code := f.run(false); code == 0 {
		t.Fatalf("save trusted a self-signed certificate without server_ca_file:\n%s", f.log.String())
	}
	in["server_ca_file"] = filepath.Base(ca) // relative to the workspace
	g := newFakeEnv(t).inputs(in).withDefaults("success")
	g.mustRun("save with server_ca_file", false)
	g.assertNoSecret(testPassword, in["server_token"])
}

// TestServerTokenFromEnv: a workflow may give the token to the step as
// env SAVEPOINT_TOKEN instead of the input; the CLI reads it and the
// action masks it all the same.
func TestServerTokenFromEnv(t *testing.T) {
	srv, token := testserver.StartAppend(t, "app")
	workspace(t)
	f := newFakeEnv(t).inputs(map[string]string{"repository": srv.Repo("app"), "password": testPassword, "paths": "data"}).withDefaults("success")
	f.vars["SAVEPOINT_TOKEN"] = token
	f.mustRun("save with SAVEPOINT_TOKEN in the step's env", false)
	f.assertNoSecret(testPassword, token)
}
