package image

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/savepoint-ci/savepoint/internal/testenv"
	"github.com/savepoint-ci/savepoint/internal/testregistry"
)

// counter counts requests by method and notes any blob access.
type counter struct {
	mu     sync.Mutex
	byKind map[string]int
	blobs  int
}

// RoundTrip counts requests that reached the registry (the https half of
// go-containerregistry's parallel https/http ping to a loopback registry
// fails without a request and is not counted).
func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	c.mu.Lock()
	if c.byKind == nil {
		c.byKind = map[string]int{}
	}
	c.byKind[r.Method]++
	if strings.Contains(r.URL.Path, "/blobs/") {
		c.blobs++
	}
	c.mu.Unlock()
	return resp, nil
}

func (c *counter) reset() (map[string]int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, b := c.byKind, c.blobs
	c.byKind, c.blobs = nil, 0
	return m, b
}

// eachRegistry runs fn against the in-process registry and the real one
// started by scripts/services/registry.sh.
func eachRegistry(t *testing.T, fn func(t *testing.T, host string)) {
	t.Run("in-process", func(t *testing.T) { fn(t, testregistry.InProcess(t, nil)) })
	t.Run("docker-registry", func(t *testing.T) { fn(t, testenv.Require(t, "SAVEPOINT_TEST_REGISTRY")) })
}

func TestPinAndRepoint(t *testing.T) {
	eachRegistry(t, func(t *testing.T, host string) {
		ctx := t.Context()
		repo := host + "/savepoint-test/app" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
		ref := repo + ":prod"
		first := testregistry.PushRandom(t, ref)
		cnt := &counter{}
		c := New(Options{Transport: cnt})

		at := time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC)
		rec, err := c.ResolveAndPin(ctx, ref, at)
		if err != nil {
			t.Fatal(err)
		}
		reqs, blobs := cnt.reset()
		t.Logf("resolve+pin requests: %v", reqs)
		if reqs["GET"] > 3 || reqs["PUT"] != 1 || reqs["HEAD"] != 0 {
			t.Errorf("resolve+pin made %v requests, want at most 2 pings + 1 manifest GET, 1 PUT", reqs)
		}
		if rec.Digest != first.String() || rec.PinTag != "savepoint-pin-20261123t180000z-"+first.Hex[:12] || blobs != 0 {
			t.Fatalf("record %+v, %d blob requests", rec, blobs)
		}
		if pinned, err := c.Current(ctx, repo+":"+rec.PinTag); err != nil || pinned != first.String() {
			t.Fatalf("pin tag points to %s (%v)", pinned, err)
		}

		second := testregistry.PushRandom(t, ref) // the deploy moves the tag
		if cur, _ := c.Current(ctx, ref); cur != second.String() || second == first {
			t.Fatalf("tag at %s after the move", cur)
		}
		cnt.reset()
		moved, err := c.Repoint(ctx, ref, rec.Digest)
		if err != nil || !moved {
			t.Fatalf("repoint: moved=%v err=%v", moved, err)
		}
		reqs, blobs = cnt.reset()
		t.Logf("repoint requests: %v", reqs)
		if reqs["GET"] > 3 || reqs["PUT"] != 1 || reqs["HEAD"] != 1 {
			t.Errorf("repoint made %v requests, want 1 HEAD, at most 2 pings + 1 manifest GET, 1 PUT", reqs)
		}
		if blobs != 0 {
			t.Fatalf("repoint touched blobs %d times: layers must not be pulled or pushed", blobs)
		}
		if cur, _ := c.Current(ctx, ref); cur != first.String() {
			t.Fatalf("tag at %s after rollback, want %s", cur, first)
		}
		if moved, err := c.Repoint(ctx, ref, rec.Digest); err != nil || moved {
			t.Fatalf("second repoint: moved=%v err=%v", moved, err)
		}
	})
}

func TestRegistryRefuses(t *testing.T) {
	pinPut := func(r *http.Request) bool {
		return r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/savepoint-pin")
	}
	host := testregistry.InProcess(t, testregistry.Refuse(pinPut, http.StatusForbidden, "DENIED", "tag is immutable"))
	ref := host + "/app:prod"
	testregistry.PushRandom(t, ref)
	c := New(Options{Username: "u", Password: "hunter2-secret"})
	_, err := c.ResolveAndPin(t.Context(), ref, time.Now())
	if err == nil {
		t.Fatal("pin succeeded on a refusing registry")
	}
	msg := err.Error()
	if !strings.Contains(msg, "registry refused (HTTP 403 DENIED: tag is immutable)") || strings.Contains(msg, "\n") || strings.Contains(msg, "hunter2") {
		t.Fatalf("message %q", msg)
	}
	if !errors.Is(err, ErrAccessDenied) {
		t.Fatalf("a refusal: %v, want ErrAccessDenied", err)
	}
	if _, err := c.Resolve(t.Context(), host+"/missing:prod"); err == nil || !strings.Contains(err.Error(), "no such image or tag") {
		t.Fatalf("missing image: %v", err)
	}
	if _, err := c.ParseTag(host + "/app@sha256:" + strings.Repeat("a", 64)); err == nil {
		t.Fatal("a digest reference was accepted")
	}
}

func TestAuthConventions(t *testing.T) {
	env := map[string]string{"CI_REGISTRY": "registry.gitlab.example", "CI_REGISTRY_USER": "gitlab-ci-token", "CI_REGISTRY_PASSWORD": "p1",
		"GITHUB_TOKEN": "ghs_x", "GITHUB_ACTOR": "alice"}
	c := New(Options{Getenv: func(k string) string { return env[k] }})
	check := func(c *Client, host, user, pass string) {
		t.Helper()
		reg, _ := name.NewRegistry(host)
		a, err := c.auth(reg)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := a.Authorization()
		if err != nil || cfg.Username != user || cfg.Password != pass {
			t.Errorf("%s: got %q/%q (%v), want %q/%q", host, cfg.Username, cfg.Password, err, user, pass)
		}
	}
	check(c, "registry.gitlab.example", "gitlab-ci-token", "p1")
	check(c, "ghcr.io", "alice", "ghs_x")
	check(c, "quay.io", "", "")
	check(New(Options{Username: "me", Password: "pw", Getenv: c.o.Getenv}), "ghcr.io", "me", "pw")
}

// TestIndexPinAndRepoint: multi-platform images are indexes; pin and
// re-point must keep the index (not pick one platform's manifest).
func TestIndexPinAndRepoint(t *testing.T) {
	host := testregistry.InProcess(t, nil)
	ref := host + "/multi:prod"
	tag, _ := name.NewTag(ref)
	idx, err := random.Index(512, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(tag, idx); err != nil {
		t.Fatal(err)
	}
	want, _ := idx.Digest()
	c := New(Options{})
	ctx := t.Context()
	rec, err := c.ResolveAndPin(ctx, ref, time.Now())
	if err != nil || rec.Digest != want.String() {
		t.Fatalf("record %+v err %v, want %s", rec, err, want)
	}
	testregistry.PushRandom(t, ref) // a single-platform image replaces it
	if moved, err := c.Repoint(ctx, ref, rec.Digest); err != nil || !moved {
		t.Fatalf("moved %v err %v", moved, err)
	}
	desc, err := remote.Get(tag)
	if err != nil || desc.Digest != want || !desc.MediaType.IsIndex() {
		t.Fatalf("tag at %s (%s), want the index %s", desc.Digest, desc.MediaType, want)
	}
}
