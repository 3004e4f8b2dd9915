package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/savepoint-ci/savepoint/core/crypto"
)

// cliRun runs the command line in-process with a repository of its own.
type cliRun struct {
	t    *testing.T
	repo string
	env  map[string]string
	in   io.Reader
}

func newCLI(t *testing.T) *cliRun {
	crypto.ScryptN = 1 << 10
	r := &cliRun{t: t, repo: filepath.Join(t.TempDir(), "repo"), env: map[string]string{"SAVEPOINT_PASSWORD": "pw"}}
	if code, _, errOut := r.run("init"); code != 0 {
		t.Fatalf("init: %s", errOut)
	}
	return r
}

func (r *cliRun) run(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	in := r.in
	if in == nil {
		in = strings.NewReader("")
	}
	r.in = nil
	env := Env{Stdin: in, Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return r.env[k] }}
	code := Run(context.Background(), "test", append([]string{"--repo", r.repo, "--quiet"}, args...), env)
	return code, out.String(), errOut.String()
}

// ok runs and fails the test on a non-zero exit.
func (r *cliRun) ok(args ...string) string {
	r.t.Helper()
	code, out, errOut := r.run(args...)
	if code != 0 {
		r.t.Fatalf("savepoint %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}

func (r *cliRun) snapshots(args ...string) []SnapshotJSON {
	r.t.Helper()
	var list []SnapshotJSON
	if err := json.Unmarshal([]byte(r.ok(append([]string{"--json", "snapshots"}, args...)...)), &list); err != nil {
		r.t.Fatal(err)
	}
	return list
}

func inProcessRegistry(t *testing.T, wrap func(http.Handler) http.Handler) string {
	h := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func currentDigest(t *testing.T, ref string) string {
	t.Helper()
	tag, _ := name.NewTag(ref)
	d, err := remote.Head(tag)
	if err != nil {
		t.Fatal(err)
	}
	return d.Digest.String()
}
