package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/testcmd"
	"github.com/savepoint-ci/savepoint/internal/testenv"
)

// The launcher (actions/node/launch.js) is what the runner starts: these
// tests run it with the real node, as the runner does, against release
// assets served over HTTP.

var (
	entryOnce sync.Once
	entryGz   []byte // savepoint-action built from this checkout, gzip'ed
	entryErr  error
)

// releaseAsset builds savepoint-action for this machine once and returns
// it gzip'ed, as a release publishes it.
func releaseAsset(t *testing.T) []byte {
	t.Helper()
	entryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "savepoint-action-")
		if err != nil {
			entryErr = err
			return
		}
		defer os.RemoveAll(dir)
		build := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(dir, "savepoint-action"), ".") // the flags of make image and the launcher: one build cache
		build.Dir = filepath.Join(filepath.Dir(actionYMLPath), "actions")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			entryErr = &buildError{string(out)}
			return
		}
		b, err := os.ReadFile(filepath.Join(dir, "savepoint-action"))
		if err != nil {
			entryErr = err
			return
		}
		var gz bytes.Buffer
		w := gzip.NewWriter(&gz)
		w.Write(b)
		w.Close()
		entryGz = gz.Bytes()
	})
	if entryErr != nil {
		t.Fatal(entryErr)
	}
	return entryGz
}

type buildError struct{ out string }

func (e *buildError) Error() string { return "go build: " + e.out }

// platformName is the launcher's name for this machine's platform.
func platformName() string { return runtime.GOOS + "-" + runtime.GOARCH }

// releaseServer serves a release's assets the way GitHub does: the
// download URL redirects to the storage. It counts the downloads.
type releaseServer struct {
	*httptest.Server
	downloads atomic.Int32
}

func newReleaseServer(t *testing.T, version string, assets map[string][]byte) *releaseServer {
	t.Helper()
	s := &releaseServer{}
	mux := http.NewServeMux()
	mux.HandleFunc("/"+version+"/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/storage/"+filepath.Base(r.URL.Path), http.StatusFound)
	})
	mux.HandleFunc("/storage/", func(w http.ResponseWriter, r *http.Request) {
		b, ok := assets[filepath.Base(r.URL.Path)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		s.downloads.Add(1)
		w.Write(b)
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// actionCopy copies the launcher into a fresh action directory (as the
// runner fetches the action) with the given release.json.
func actionCopy(t *testing.T, release any) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(filepath.Dir(actionYMLPath), "actions", "node")
	if err := os.MkdirAll(filepath.Join(dir, "actions", "node"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"launch.js", "main.js", "post.js"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "actions", "node", f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := json.Marshal(release)
	if err := os.WriteFile(filepath.Join(dir, "actions", "node", "release.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// release is a release.json naming one asset for this platform.
func release(version string, gz []byte) map[string]any {
	sum := sha256.Sum256(gz)
	return map[string]any{"version": version, "assets": map[string]any{
		platformName(): map[string]string{"file": "savepoint-action-" + platformName() + ".gz", "sha256": hex.EncodeToString(sum[:])},
	}}
}

// launch runs node SCRIPT (main.js or post.js of actionDir) in the working
// directory with the fake runner's variables and extra ones, as the runner
// starts a node action.
func (f *fakeEnv) launch(actionDir, script string, extra map[string]string) int {
	f.t.Helper()
	node := testenv.Require(f.t, "SAVEPOINT_TEST_NODE")
	cmd := exec.Command(node, filepath.Join(actionDir, "actions", "node", script))
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + f.t.TempDir()}
	for k, v := range f.vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	for k, v := range extra {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = &f.log, &f.log
	return testcmd.ExitCode(f.t, cmd.Run())
}

// TestLauncherRelease: the main step downloads the release's binary
// (following the redirect), checks its SHA-256 and runs it; the post step
// runs the cached binary without downloading again and saves, as save_on:
// post asks.
func TestLauncherRelease(t *testing.T) {
	gz := releaseAsset(t)
	srv := newReleaseServer(t, "v9.8.7", map[string][]byte{"savepoint-action-" + platformName() + ".gz": gz})
	action := actionCopy(t, release("v9.8.7", gz))
	workspace(t)
	env := map[string]string{"SAVEPOINT_ACTION_DOWNLOAD_URL": srv.URL + "/", "RUNNER_TOOL_CACHE": t.TempDir(), "RUNNER_TEMP": t.TempDir()}
	repo := filepath.Join(t.TempDir(), "repo")

	f := newFakeEnv(t).inputs(map[string]string{"repository": repo, "password": testPassword, "paths": "data", "name": "deps", "save_on": "post"}).withDefaults("success")
	if code := f.launch(action, "main.js", env); code != 0 || f.outputs()["cache_hit"] != "false" || f.state()["post"] != "save" {
		t.Fatalf("main step: exit %d, outputs %v, state %v\n%s", code, f.outputs(), f.state(), f.log.String())
	}
	if n := srv.downloads.Load(); n != 1 {
		t.Errorf("%d downloads, want 1", n)
	}
	p := f.post("success")
	if code := p.launch(action, "post.js", env); code != 0 || !hexID.MatchString(p.outputs()["snapshot_id"]) {
		t.Fatalf("post step: exit %d, outputs %v\n%s", code, p.outputs(), p.log.String())
	}
	if n := srv.downloads.Load(); n != 1 {
		t.Errorf("the post step downloaded again (%d downloads)", n)
	}
	p.assertNoSecret(testPassword)

	// A post step with nothing to do downloads nothing and runs nothing.
	q := newFakeEnv(t).inputs(map[string]string{"repository": repo, "paths": "data"})
	if code := q.launch(action, "post.js", map[string]string{"SAVEPOINT_ACTION_DOWNLOAD_URL": "http://127.0.0.1:9/"}); code != 0 ||
		!strings.Contains(q.log.String(), "nothing to do in the post step") {
		t.Errorf("post step without state: exit %d\n%s", code, q.log.String())
	}
}

// TestLauncherRefuses: a download whose SHA-256 is not the release's is
// refused and never run or cached; a missing asset and an unreachable
// mirror are one error line each.
func TestLauncherRefuses(t *testing.T) {
	gz := releaseAsset(t)
	tampered := append([]byte(nil), gz...)
	tampered[len(tampered)/2] ^= 0xff
	name := "savepoint-action-" + platformName() + ".gz"
	cache := t.TempDir()
	workspace(t)
	cases := []struct {
		name    string
		serve   map[string][]byte
		release any
		url     string
		want    string
	}{
		{"tampered", map[string][]byte{name: tampered}, release("v1.0.0", gz), "", "refusing to run it"},
		{"missing asset", map[string][]byte{}, release("v1.0.0", gz), "", "HTTP 404"},
		{"no asset for the platform", nil, map[string]any{"version": "v1.0.0", "assets": map[string]any{"plan9-386": map[string]string{}}}, "", "has no savepoint-action for " + platformName()},
		{"unreachable", nil, release("v1.0.0", gz), "http://127.0.0.1:9", "downloading savepoint-action"},
		{"no source", nil, map[string]any{"version": ""}, "", "holds no source to build it from"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			url := c.url
			if url == "" {
				url = newReleaseServer(t, "v1.0.0", c.serve).URL
			}
			f := newFakeEnv(t).inputs(map[string]string{"repository": t.TempDir(), "paths": "data", "password": testPassword})
			code := f.launch(actionCopy(t, c.release), "main.js", map[string]string{"SAVEPOINT_ACTION_DOWNLOAD_URL": url, "RUNNER_TOOL_CACHE": cache})
			errs := f.errors()
			if code != 1 || len(errs) != 1 || !strings.Contains(errs[0], c.want) {
				t.Errorf("exit %d, errors %q; want exit 1 and one error with %q\n%s", code, errs, c.want, f.log.String())
			}
		})
	}
	var cached []string
	filepath.WalkDir(cache, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			cached = append(cached, p)
		}
		return nil
	})
	if len(cached) != 0 {
		t.Errorf("refused downloads left files in the tool cache: %q", cached)
	}
}

// TestLauncherFromSource: this checkout's own action (release.json names no
// release) builds savepoint-action with the Go toolchain on PATH and runs
// it, as a fork or a branch of the action does on a runner with Go.
func TestLauncherFromSource(t *testing.T) {
	var rel struct{ Version string }
	b, err := os.ReadFile(filepath.Join(filepath.Dir(actionYMLPath), "actions", "node", "release.json"))
	if err != nil || json.Unmarshal(b, &rel) != nil || rel.Version != "" {
		t.Fatalf("the checked-in release.json must name no release (%v): a release commit fills it in\n%s", err, b)
	}
	workspace(t)
	temp := t.TempDir()
	f := newFakeEnv(t).inputs(repoInputs(t, map[string]string{"paths": "data"})).withDefaults("success")
	if code := f.launch(filepath.Dir(actionYMLPath), "main.js", map[string]string{"RUNNER_TEMP": temp, "GITHUB_ACTION_REF": "main"}); code != 0 {
		t.Fatalf("exit %d\n%s", code, f.log.String())
	}
	if !strings.Contains(f.log.String(), "building savepoint-action from source") || !hexID.MatchString(f.outputs()["snapshot_id"]) {
		t.Errorf("no build from source, or no save:\n%s", f.log.String())
	}
	if _, err := os.Stat(filepath.Join(temp, "savepoint-action-source", platformName(), "savepoint-action")); err != nil {
		t.Errorf("the build is not kept for the post step: %v", err)
	}
}
