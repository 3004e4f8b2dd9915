package server

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage/remote"
	"github.com/savepoint-ci/savepoint/internal/testkdf"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

func TestMain(m *testing.M) { testserver.Main(m) }

const password = "test-password"

// client runs the savepoint binary against one repository of a server
// with one token, as a CI job does.
type client struct {
	t     *testing.T
	srv   *testserver.Server
	repo  string // URL
	token string
	env   []string
}

func newClient(t *testing.T, srv *testserver.Server, name, token string) *client {
	return &client{t: t, srv: srv, repo: srv.Repo(name), token: token}
}

// command is savepoint with args, in the client's environment.
func (c *client) command(args ...string) *exec.Cmd {
	cmd := exec.Command(c.srv.Bin, args...)
	cmd.Env = append(os.Environ(), "SAVEPOINT_REPOSITORY="+c.repo, "SAVEPOINT_TOKEN="+c.token,
		"SAVEPOINT_PASSWORD="+password, "SAVEPOINT_QUIET=1")
	cmd.Env = append(cmd.Env, c.env...)
	return cmd
}

// run runs savepoint with args and returns the exit code and output.
func (c *client) run(args ...string) (code int, stdout, stderr string) {
	c.t.Helper()
	cmd := c.command(args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		c.t.Fatal(err)
	}
	return code, out.String(), errOut.String()
}

// ok runs and fails the test unless savepoint exits 0.
func (c *client) ok(args ...string) string {
	c.t.Helper()
	code, out, errOut := c.run(args...)
	if code != 0 {
		c.t.Fatalf("savepoint %s: exit %d: %s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// refused runs a command that must fail with exit 14 (access refused) and
// one line naming role.
func (c *client) refused(role string, args ...string) {
	c.t.Helper()
	code, _, errOut := c.run(args...)
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if code != 14 || len(lines) != 1 || !strings.Contains(errOut, "role "+role) {
		c.t.Errorf("savepoint %s: exit %d, stderr %q; want exit 14 and one line naming role %s", strings.Join(args, " "), code, errOut, role)
	}
}

// startWithPasswords starts a server that holds the password of the
// repositories named (--password-dir): their forget and prune run on it.
func startWithPasswords(t *testing.T, names ...string) *testserver.Server {
	t.Helper()
	dir := t.TempDir()
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(password+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return testserver.Start(t, testserver.Options{Args: []string{"--password-dir", dir}})
}

// initRepo creates repository name on the server in-process with cheap
// key-derivation parameters and small chunks and packs (the binary opens
// it with the same password).
func initRepo(t *testing.T, srv *testserver.Server, name, token string) {
	t.Helper()
	initRepoVersion(t, srv, name, token, 0)
}

// appendJob creates repository name with its admin token and returns a
// client that holds an append token for it, as a CI job does.
func appendJob(t *testing.T, srv *testserver.Server, name string) *client {
	t.Helper()
	initRepo(t, srv, name, srv.Token(name, "admin"))
	return newClient(t, srv, name, srv.Token(name, "append"))
}

// initRepoVersion is initRepo at a format version (0: the newest).
func initRepoVersion(t *testing.T, srv *testserver.Server, name, token string, version int) {
	t.Helper()
	initRepoWith(t, srv, name, token, version, password)
}

// initRepoWith is initRepoVersion with a password of its own.
func initRepoWith(t *testing.T, srv *testserver.Server, name, token string, version int, pw string) {
	t.Helper()
	testkdf.Cheap()
	be, err := remote.New(remote.Options{URL: srv.Repo(name), Token: token})
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	repo, err := repository.Init(context.Background(), be, repository.InitOptions{
		Password: pw, Chunker: testrepo.SmallChunks, PackSize: 1 << 20, Version: version,
	})
	if err != nil {
		t.Fatal(err)
	}
	repo.Close()
}
