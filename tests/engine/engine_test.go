package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/internal/testcmd"
	"github.com/savepoint-ci/savepoint/internal/testenv"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// password is the repository password of every test; no log may show it.
const password = "engine-test-Pa55word-7f3c"

// images are the names the engine serves, as users pull them.
type images struct {
	minimal, shell, plugin string // from `make image`
	pg                     string // the shell image plus pg_dump and psql
	helper                 string // busybox, bash and rsync: gitlab-ci-local's helper
	runner                 string // the helper plus node, pg_dump and psql: act's job image (ubuntu-latest)
	version, revision      string // what `make image` stamped into them
	actionAssets           string // `make action-release`'s directory: the action's release assets and release.json
}

// requireEngine returns the engine's images (see testenv.Require).
func requireEngine(t *testing.T) images {
	t.Helper()
	testenv.Require(t, "DOCKER_HOST")
	return images{
		minimal:  testenv.Require(t, "SAVEPOINT_TEST_IMAGE_MINIMAL"),
		shell:    testenv.Require(t, "SAVEPOINT_TEST_IMAGE_SHELL"),
		plugin:   testenv.Require(t, "SAVEPOINT_TEST_IMAGE_PLUGIN"),
		pg:       testenv.Require(t, "SAVEPOINT_TEST_IMAGE_PG"),
		helper:   testenv.Require(t, "SAVEPOINT_TEST_IMAGE_HELPER"),
		runner:   testenv.Require(t, "SAVEPOINT_TEST_IMAGE_RUNNER"),
		version:  testenv.Require(t, "SAVEPOINT_TEST_IMAGE_VERSION"),
		revision: testenv.Require(t, "SAVEPOINT_TEST_IMAGE_REVISION"),

		actionAssets: testenv.Require(t, "SAVEPOINT_TEST_ACTION_ASSETS"),
	}
}

// result is a finished command.
type result struct {
	code   int
	stdout string
	stderr string
}

func (r result) output() string { return r.stdout + r.stderr }

// command runs name with args and extra environment variables (secrets go
// there, never on a command line), within a deadline.
func command(t *testing.T, env map[string]string, name string, args ...string) result {
	t.Helper()
	return commandIn(t, "", env, name, args...)
}

// commandIn is command in the directory dir.
func commandIn(t *testing.T, dir string, env map[string]string, name string, args ...string) result {
	t.Helper()
	// Not t.Context(): cleanups run commands too (dropdb), after it ends.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var r result
	r.code, r.stdout, r.stderr = testcmd.Run(t, cmd)
	return r
}

// docker runs the Docker CLI against the engine's API, as the runners use
// the Docker API.
func docker(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	return command(t, env, "docker", args...)
}

// mustDocker runs docker and fails the test unless it exits 0.
func mustDocker(t *testing.T, args ...string) string {
	t.Helper()
	r := docker(t, nil, args...)
	if r.code != 0 {
		t.Fatalf("docker %s: exit %d\n%s", strings.Join(args, " "), r.code, r.output())
	}
	return r.stdout
}

// podman runs the podman client against the engine's API service.
func podman(t *testing.T, args ...string) string {
	t.Helper()
	r := command(t, nil, "podman", append([]string{"--remote", "--url", os.Getenv("DOCKER_HOST")}, args...)...)
	if r.code != 0 {
		t.Fatalf("podman %s: exit %d\n%s", strings.Join(args, " "), r.code, r.output())
	}
	return r.stdout
}

// run starts a container without --rm (through podman 4.3's API, a removed
// container's exit code reads 0) and removes it afterwards. env is passed
// by name (-e NAME), so values stay off the command line.
func run(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	name := "sp-test-" + randomHex(6)
	full := []string{"run", "--name", name, "--network", "host"}
	for k := range env {
		full = append(full, "-e", k)
	}
	r := docker(t, env, append(full, args...)...)
	if rm := docker(t, nil, "rm", "-f", name); rm.code != 0 {
		t.Errorf("docker rm %s: %s", name, rm.output())
	}
	return r
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// TestMain checks, after the tests, that they left no container behind in
// the engine (act, gitlab-ci-local and the runners here must clean up).
func TestMain(m *testing.M) {
	code := m.Run()
	testserver.Cleanup()
	if os.Getenv("DOCKER_HOST") != "" {
		out, err := exec.Command("docker", "ps", "-a", "--format", "{{.Names}} ({{.Image}}, {{.Status}})").CombinedOutput()
		if left := strings.TrimSpace(string(out)); err != nil || left != "" {
			fmt.Fprintf(os.Stderr, "the tests left containers in the engine (%v):\n%s\n", err, left)
			code = 1
		}
	}
	os.Exit(code)
}
