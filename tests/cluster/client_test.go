package cluster

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/internal/testserver"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// client runs the savepoint binary against one repository through one
// endpoint (a node, or a proxy in front of one).
type client struct {
	t        *testing.T
	bin      string
	endpoint string
	env      []string
}

func (c *cluster) client(t *testing.T, endpoint, bucket string) *client {
	return &client{t: t, bin: testserver.Binary(t), endpoint: endpoint, env: []string{
		"SAVEPOINT_REPOSITORY=s3://" + bucket + "/repo",
		"SAVEPOINT_PASSWORD=test-password",
		"SAVEPOINT_S3_ENDPOINT=" + endpoint,
		"SAVEPOINT_S3_INSECURE=true",
		"SAVEPOINT_S3_PATH_STYLE=true",
		"SAVEPOINT_S3_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=" + c.access,
		"AWS_SECRET_ACCESS_KEY=" + c.secret,
		"SAVEPOINT_QUIET=1",
	}}
}

// run is one running or finished command.
type run struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	done           chan struct{}
	err            error
	ended          time.Time // when Wait returned
}

// start starts savepoint with args in dir.
func (cl *client) start(dir string, args ...string) *run {
	cl.t.Helper()
	r, err := cl.launch(dir, args...)
	if err != nil {
		cl.t.Fatal(err)
	}
	return r
}

// launch is start for goroutines other than the test's.
func (cl *client) launch(dir string, args ...string) (*run, error) {
	r := &run{cmd: exec.Command(cl.bin, args...), done: make(chan struct{})}
	r.cmd.Dir = dir
	r.cmd.Env = append(os.Environ(), cl.env...)
	r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
	if err := r.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { r.err = r.cmd.Wait(); r.ended = time.Now(); close(r.done) }()
	return r, nil
}

// exited reports whether the command has finished.
func (r *run) exited() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// endedAfter fails the test unless the command was still running at t
// (a node killed "during" it was dead before it finished).
func (r *run) endedAfter(tb testing.TB, t time.Time, what string) {
	tb.Helper()
	<-r.done
	if !r.ended.After(t) {
		tb.Fatalf("the command finished before %s: make its work bigger", what)
	}
}

// wait waits for the command and returns its exit code.
func (r *run) wait() int {
	<-r.done
	return r.cmd.ProcessState.ExitCode()
}

// mustRun runs savepoint and fails the test unless it exits 0; it
// returns stdout.
func (cl *client) mustRun(dir string, args ...string) string {
	cl.t.Helper()
	r := cl.start(dir, args...)
	if code := r.wait(); code != 0 {
		cl.t.Fatalf("savepoint %s: exit %d\n%s%s", strings.Join(args, " "), code, r.stdout.String(), r.stderr.String())
	}
	return r.stdout.String()
}

// savedID returns the snapshot ID from the --json output of save.
func savedID(t *testing.T, out string) string {
	t.Helper()
	id, err := parseID(out)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func parseID(out string) (string, error) {
	var s struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil || s.ID == "" {
		return "", fmt.Errorf("save --json printed %q: %v", out, err)
	}
	return s.ID, nil
}

// oneLine checks that a failed command said why in exactly one line
// starting with "savepoint: ", and returns it.
func oneLine(t *testing.T, r *run) string {
	t.Helper()
	msg := strings.TrimRight(r.stderr.String(), "\n")
	if !strings.HasPrefix(msg, "savepoint: ") || strings.Contains(msg, "\n") {
		t.Fatalf("want one line starting with \"savepoint: \" on stderr, got %q", msg)
	}
	return msg
}
