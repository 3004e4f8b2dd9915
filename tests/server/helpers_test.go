package server

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage/remote"
	"github.com/savepoint-ci/savepoint/internal/benchdata"
	"github.com/savepoint-ci/savepoint/internal/testcmd"
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
	return testcmd.Run(c.t, c.command(args...))
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

// workDir makes a temporary directory the test's working directory, as a
// CI job's checkout is, and returns it: the commands' relative paths are
// in it.
func workDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	return dir
}

// writeSrc writes the source tree dir/src that a save takes: a.txt, which
// holds "version 1", and big.bin, 3 MiB of random bytes (several chunks).
// It returns the tree's path.
func writeSrc(t *testing.T, dir string) string {
	t.Helper()
	src := filepath.Join(dir, "src")
	testrepo.WriteFile(t, src, "a.txt", []byte("version 1"))
	testrepo.WriteFile(t, src, "big.bin", testrepo.Random(3<<20))
	return src
}

// startWithPassword starts a server (args are more flags of `savepoint
// serve`) that holds the password of repository name, not of others
// (--password-dir): its forget and prune run on the server.
func startWithPassword(t *testing.T, name string, args ...string) *testserver.Server {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return testserver.Start(t, testserver.Options{Args: append([]string{"--password-dir", dir}, args...)})
}

// openRepo opens repository name of the server as storage, in-process,
// with token. The caller closes it.
func openRepo(t *testing.T, srv *testserver.Server, name, token string) *remote.Backend {
	t.Helper()
	be, err := remote.New(remote.Options{URL: srv.Repo(name), Token: token})
	if err != nil {
		t.Fatal(err)
	}
	return be
}

// writeTexts writes 20 compressible text files of 3,000 bytes, a.txt to
// t.txt, into dir; seed makes them differ from another call's.
func writeTexts(t *testing.T, dir string, seed uint64) {
	t.Helper()
	for i := range 20 {
		testrepo.WriteFile(t, dir, string(rune('a'+i))+".txt", benchdata.Text(seed+uint64(i), 3000))
	}
}

// initRepo creates repository name on the server in-process with cheap
// key-derivation parameters and small chunks and packs (the binary opens
// it with the same password).
func initRepo(t *testing.T, srv *testserver.Server, name, token string) {
	t.Helper()
	initRepoVersion(t, srv, name, token, 0)
}

// startApp starts a server (args are more flags of `savepoint serve`)
// and creates repository app on it at format version (0: the newest) with
// its admin token. It returns the server, that admin token, and a client
// holding an append token for app, as a CI job does.
func startApp(t *testing.T, version int, args ...string) (srv *testserver.Server, admin string, job *client) {
	t.Helper()
	srv = testserver.Start(t, testserver.Options{Args: args})
	admin = srv.Token("app", "admin")
	initRepoVersion(t, srv, "app", admin, version)
	return srv, admin, newClient(t, srv, "app", srv.Token("app", "append"))
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
	be := openRepo(t, srv, name, token)
	defer be.Close()
	repo, err := repository.Init(t.Context(), be, repository.InitOptions{
		Password: pw, Chunker: testrepo.SmallChunks, PackSize: 1 << 20, Version: version,
	})
	if err != nil {
		t.Fatal(err)
	}
	repo.Close()
}
