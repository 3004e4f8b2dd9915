package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

const testVersion = "v0.0.0-imagetest"

// bins holds the binaries buildBinaries built, shared by the tests.
var bins struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bins.dir != "" {
		os.RemoveAll(bins.dir)
	}
	os.Exit(code)
}

// buildBinaries builds the CLI, the action entrypoint and the plugin for
// this machine's architecture, static, the way `make image` does (once per
// test run).
func buildBinaries(t *testing.T) string {
	t.Helper()
	bins.once.Do(func() {
		bins.dir, bins.err = os.MkdirTemp("", "imagebuild-bins-")
		if bins.err != nil {
			return
		}
		goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
		for _, b := range []struct{ out, pkg string }{{"savepoint", "../.."}, {"savepoint-action", "../../actions"}, {"savepoint-plugin", "../../drone"}} {
			cmd := exec.Command(goBin, "build", "-trimpath", "-ldflags", "-s -w -X main.version="+testVersion, "-o", filepath.Join(bins.dir, b.out), b.pkg)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
			if out, err := cmd.CombinedOutput(); err != nil {
				bins.err = errors.New("go build " + b.pkg + ": " + err.Error() + "\n" + string(out))
				return
			}
		}
	})
	if bins.err != nil {
		t.Fatal(bins.err)
	}
	return bins.dir
}

// staticBusybox returns Debian busybox-static's binary, which scripts/test.sh
// installs (scripts/apt-install.sh busybox-static). Like a missing server,
// a missing busybox fails the test, except under -short.
func staticBusybox(t *testing.T) string {
	t.Helper()
	const p = "/bin/busybox"
	err := checkStatic(p)
	if err == nil {
		return p
	}
	if testing.Short() {
		t.Skipf("no static busybox (%v); skipped under -short", err)
	}
	t.Fatalf("no static busybox (%v): run the tests through `make test`, which installs busybox-static", err)
	return ""
}

func TestImageLayout(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Fatalf("the image test runs the image's linux binaries: run it on linux")
	}
	busybox := staticBusybox(t)
	bins := buildBinaries(t)
	host := v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
	o := options{
		out: filepath.Join(t.TempDir(), "image"), version: testVersion, revision: "0123abc",
		source: "https://github.com/savepoint-ci/savepoint", created: time.Unix(1700000000, 0).UTC(),
		caBundle:  "/etc/ssl/certs/ca-certificates.crt",
		platforms: []platformFiles{{platform: host, binDir: bins, busybox: busybox}},
	}
	if err := build(o); err != nil {
		t.Fatal(err)
	}
	idx, err := layout.ImageIndexFromPath(o.out)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Index(idx); err != nil {
		t.Fatalf("invalid layout: %v", err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	variants := map[string]v1.Hash{}
	for _, d := range im.Manifests {
		if d.MediaType != types.OCIImageIndex {
			t.Errorf("%s: media type %s, want an image index", d.Annotations[refNameKey], d.MediaType)
		}
		variants[d.Annotations[refNameKey]] = d.Digest
	}
	want := []string{variantMinimal, variantPlugin, variantShell}
	if got := slices.Sorted(func(yield func(string) bool) {
		for k := range variants {
			if !yield(k) {
				return
			}
		}
	}); !slices.Equal(got, want) {
		t.Fatalf("variants %v, want %v (busybox %q)", got, want, busybox)
	}
	for _, variant := range want {
		t.Run(variant, func(t *testing.T) {
			child, err := idx.ImageIndex(variants[variant])
			if err != nil {
				t.Fatal(err)
			}
			cm, err := child.IndexManifest()
			if err != nil {
				t.Fatal(err)
			}
			if len(cm.Manifests) != 1 || cm.Manifests[0].Platform == nil || !cm.Manifests[0].Platform.Equals(host) {
				t.Fatalf("manifests %+v, want one for %s", cm.Manifests, host)
			}
			img, err := child.Image(cm.Manifests[0].Digest)
			if err != nil {
				t.Fatal(err)
			}
			checkConfig(t, img, host, variant)
			t.Logf("%s %s: %d bytes compressed", variant, host, imageSize(t, img))
			root := extract(t, img)
			checkFiles(t, root, variant)
		})
	}

	// Reproducible: the same inputs give the same digests.
	first, _ := idx.Digest()
	if err := build(o); err != nil {
		t.Fatal(err)
	}
	again, err := layout.ImageIndexFromPath(o.out)
	if err != nil {
		t.Fatal(err)
	}
	if second, _ := again.Digest(); second != first {
		t.Errorf("rebuild changed the index digest: %s then %s", first, second)
	}
}

func checkConfig(t *testing.T, img v1.Image, host v1.Platform, variant string) {
	t.Helper()
	mt, _ := img.MediaType()
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if mt != types.OCIManifestSchema1 || m.Config.MediaType != types.OCIConfigJSON {
		t.Errorf("media types %s / %s, want OCI", mt, m.Config.MediaType)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.OS != host.OS || cf.Architecture != host.Architecture {
		t.Errorf("config platform %s/%s, want %s", cf.OS, cf.Architecture, host)
	}
	c := cf.Config
	entry := "/usr/local/bin/savepoint"
	if variant == variantPlugin {
		entry = "/usr/local/bin/savepoint-plugin"
	}
	if !slices.Equal(c.Entrypoint, []string{entry}) {
		t.Errorf("entrypoint %q, want the exec form [%s]", c.Entrypoint, entry)
	}
	if c.User != "0:0" {
		t.Errorf("user %q, want root (0:0): GitHub needs root", c.User)
	}
	for _, e := range []string{"SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt", "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"} {
		if !slices.Contains(c.Env, e) {
			t.Errorf("env %q lacks %s", c.Env, e)
		}
	}
	labels := map[string]string{
		"org.opencontainers.image.title":    "savepoint",
		"org.opencontainers.image.version":  testVersion,
		"org.opencontainers.image.revision": "0123abc",
		"org.opencontainers.image.source":   "https://github.com/savepoint-ci/savepoint",
		"org.opencontainers.image.created":  "2023-11-14T22:13:20Z",
	}
	for k, v := range labels {
		if c.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, c.Labels[k], v)
		}
	}
	if !strings.Contains(c.Labels["org.opencontainers.image.description"], variant) {
		t.Errorf("description %q does not name the variant", c.Labels["org.opencontainers.image.description"])
	}
	if len(cf.RootFS.DiffIDs) != len(cf.History) || len(cf.History) == 0 {
		t.Errorf("rootfs %d layers, history %d entries", len(cf.RootFS.DiffIDs), len(cf.History))
	}
}

func imageSize(t *testing.T, img v1.Image) int64 {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, l := range layers {
		s, err := l.Size()
		if err != nil {
			t.Fatal(err)
		}
		n += s
	}
	return n
}

// extract writes the image's flattened filesystem into a directory.
func extract(t *testing.T, img v1.Image) string {
	t.Helper()
	root := t.TempDir()
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(root, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(p, root+string(filepath.Separator)) {
			t.Fatalf("entry %q escapes the root", h.Name)
		}
		if h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s owned by %d:%d, want root", h.Name, h.Uid, h.Gid)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err = os.MkdirAll(p, 0o755); err == nil {
				err = os.Chmod(p, h.FileInfo().Mode()&(os.ModePerm|os.ModeSticky))
			}
		case tar.TypeSymlink:
			os.MkdirAll(filepath.Dir(p), 0o755)
			err = os.Symlink(h.Linkname, p)
		case tar.TypeReg:
			os.MkdirAll(filepath.Dir(p), 0o755)
			var b bytes.Buffer
			if _, err = io.Copy(&b, tr); err == nil {
				err = os.WriteFile(p, b.Bytes(), os.FileMode(h.Mode)&0o777)
			}
		default:
			t.Errorf("unexpected entry %s of type %c", h.Name, h.Typeflag)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func checkFiles(t *testing.T, root, variant string) {
	t.Helper()
	run := func(name string, args ...string) string {
		out, err := exec.Command(filepath.Join(root, name), args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %q: %v\n%s", name, args, err, out)
		}
		return string(out)
	}
	ca, err := os.ReadFile(filepath.Join(root, caBundlePath))
	want, _ := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil || !bytes.Equal(ca, want) {
		t.Errorf("CA bundle missing or different: %v", err)
	}
	if st, err := os.Stat(filepath.Join(root, "tmp")); err != nil || st.Mode()&os.ModeSticky == 0 {
		t.Errorf("/tmp: %v, mode %v", err, st.Mode())
	}
	if variant == variantPlugin {
		// Drone and Woodpecker run the plugin with settings in the
		// environment; without any it stops with a usage error, which
		// shows it runs in the image's filesystem.
		cmd := exec.Command(filepath.Join(root, "usr/local/bin/savepoint-plugin"))
		cmd.Env = []string{}
		cmd.Dir = t.TempDir()
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || len(out) == 0 {
			t.Errorf("savepoint-plugin: %v\n%s", err, out)
		}
		for _, absent := range []string{"usr/local/bin/savepoint-action", "bin/sh"} {
			if _, err := os.Lstat(filepath.Join(root, absent)); err == nil {
				t.Errorf("the plugin image has %s", absent)
			}
		}
		return
	}
	if out := run("usr/local/bin/savepoint", "--version"); !strings.Contains(out, testVersion) {
		t.Errorf("savepoint --version = %q", out)
	}
	if out := run("usr/local/bin/savepoint-action", "--version"); !strings.Contains(out, testVersion) {
		t.Errorf("savepoint-action --version = %q", out)
	}
	if l, err := os.Readlink(filepath.Join(root, "usr/local/bin/savepoint-action-post")); err != nil || l != "savepoint-action" {
		t.Errorf("savepoint-action-post -> %q, %v", l, err)
	}
	_, shErr := os.Lstat(filepath.Join(root, "bin/sh"))
	switch variant {
	case variantShell:
		if out := run("bin/busybox", "sh", "-c", "echo $((40+2))"); strings.TrimSpace(out) != "42" {
			t.Errorf("shell: %q", out)
		}
		for _, a := range busyboxApplets {
			if l, err := os.Readlink(filepath.Join(root, "bin", a)); err != nil || l != "busybox" {
				t.Errorf("bin/%s -> %q, %v", a, l, err)
			}
		}
	default:
		if shErr == nil {
			t.Errorf("the minimal image has a shell")
		}
	}
}

// TestDynamicBinaryRefused: a dynamically linked binary cannot run in an
// image without a C library, so the build refuses it with one clear line.
// The savepoint binaries are real, so the busybox check is what fails.
func TestDynamicBinaryRefused(t *testing.T) {
	dynamic := ""
	for _, p := range []string{"/bin/ls", "/usr/bin/env", "/bin/sh"} {
		if err := checkStatic(p); err != nil && strings.Contains(err.Error(), "dynamically linked") {
			dynamic = p
			break
		}
	}
	if dynamic == "" {
		t.Fatalf("no dynamically linked binary found among /bin/ls, /usr/bin/env, /bin/sh")
	}
	err := build(options{out: t.TempDir(), caBundle: "/etc/ssl/certs/ca-certificates.crt", created: time.Unix(0, 0),
		platforms: []platformFiles{{platform: v1.Platform{OS: "linux", Architecture: runtime.GOARCH}, binDir: buildBinaries(t), busybox: dynamic}}})
	if err == nil {
		t.Fatalf("build with the dynamically linked %s as busybox succeeded", dynamic)
	}
	if msg := err.Error(); !strings.Contains(msg, dynamic+" is dynamically linked") || strings.Contains(msg, "\n") {
		t.Errorf("build with the dynamically linked %s as busybox: %q, want one line naming it", dynamic, msg)
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-platform", "linux"},
		{"-platform", "linux/amd64"},
		{"-platform", "linux/amd64=x", "-busybox", "linux/arm64=/bin/busybox"},
	} {
		if err := run(args); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}
