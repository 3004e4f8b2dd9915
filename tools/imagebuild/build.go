package main

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Paths inside the image; the Dockerfile puts the same files at the same
// places.
const (
	binDir       = "usr/local/bin"
	caBundlePath = "etc/ssl/certs/ca-certificates.crt"
	refNameKey   = "org.opencontainers.image.ref.name"
)

// Variants of the image: minimal (GitHub; any platform that overrides the
// entrypoint), shell (GitLab, whose jobs run a shell in the image) and
// plugin (Drone and Woodpecker, which run the image's entrypoint with the
// step's settings in the environment).
const (
	variantMinimal = "minimal"
	variantShell   = "shell"
	variantPlugin  = "plugin"
)

// busyboxApplets are the shell tools linked to busybox in the shell
// variant: what a GitLab job script typically uses.
var busyboxApplets = []string{
	"sh", "ash", "awk", "basename", "cat", "chmod", "cp", "cut", "date", "dirname", "du", "echo", "env",
	"false", "find", "grep", "gunzip", "gzip", "head", "id", "ln", "ls", "mkdir", "mktemp", "mv",
	"printf", "pwd", "rm", "rmdir", "sed", "sleep", "sort", "stat", "tail", "tar", "tee", "test",
	"touch", "tr", "true", "uname", "uniq", "wc", "which", "xargs",
}

// platformFiles are the inputs for one platform.
type platformFiles struct {
	platform v1.Platform
	binDir   string // holds savepoint and savepoint-action (and savepoint-plugin, for the plugin image) built for the platform
	busybox  string // a static busybox for the platform; empty: no shell variant
}

// options configure a build.
type options struct {
	out       string // OCI layout directory (replaced)
	version   string
	revision  string
	source    string
	created   time.Time // image and file times: SOURCE_DATE_EPOCH for reproducible builds
	caBundle  string
	platforms []platformFiles
}

// build writes the OCI layout: an index with one image index per variant
// (annotated with org.opencontainers.image.ref.name), each holding one
// image per platform.
func build(o options) error {
	ca, err := os.ReadFile(o.caBundle)
	if err != nil {
		return fmt.Errorf("CA bundle: %w", err)
	}
	minimal := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	shell := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	plugin := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	shells, plugins := 0, 0
	cliEntrypoint := "/" + binDir + "/savepoint"
	for _, p := range o.platforms {
		base, err := baseLayer(ca, o.created)
		if err != nil {
			return err
		}
		app, err := appLayer(p.binDir, o.created)
		if err != nil {
			return fmt.Errorf("%s: %w", p.platform, err)
		}
		img, err := image(o, p.platform, variantMinimal, cliEntrypoint, base, app)
		if err != nil {
			return err
		}
		minimal = mutate.AppendManifests(minimal, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p.platform}})
		if pluginBin := filepath.Join(p.binDir, "savepoint-plugin"); fileExists(pluginBin) {
			pl, err := binLayer(o.created, pluginBin)
			if err != nil {
				return fmt.Errorf("%s: %w", p.platform, err)
			}
			img, err := image(o, p.platform, variantPlugin, "/"+binDir+"/savepoint-plugin", base, pl)
			if err != nil {
				return err
			}
			plugin = mutate.AppendManifests(plugin, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p.platform}})
			plugins++
		}
		if p.busybox == "" {
			continue
		}
		sh, err := shellLayer(p.busybox, o.created)
		if err != nil {
			return fmt.Errorf("%s: %w", p.platform, err)
		}
		img, err = image(o, p.platform, variantShell, cliEntrypoint, base, sh, app)
		if err != nil {
			return err
		}
		shell = mutate.AppendManifests(shell, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p.platform}})
		shells++
	}
	if err := os.RemoveAll(o.out); err != nil {
		return err
	}
	lp, err := layout.Write(o.out, empty.Index)
	if err != nil {
		return err
	}
	if err := lp.AppendIndex(minimal, layout.WithAnnotations(map[string]string{refNameKey: variantMinimal})); err != nil {
		return err
	}
	if shells > 0 {
		if err := lp.AppendIndex(shell, layout.WithAnnotations(map[string]string{refNameKey: variantShell})); err != nil {
			return err
		}
	}
	if plugins > 0 {
		if plugins != len(o.platforms) {
			return fmt.Errorf("savepoint-plugin is missing for some platforms: build it for all or none")
		}
		if err := lp.AppendIndex(plugin, layout.WithAnnotations(map[string]string{refNameKey: variantPlugin})); err != nil {
			return err
		}
	}
	return nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// binLayer holds static binaries in /usr/local/bin.
func binLayer(mod time.Time, paths ...string) (v1.Layer, error) {
	t := newTar(mod)
	for _, p := range paths {
		if err := checkStatic(p); err != nil {
			return nil, err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if err := t.file(binDir+"/"+filepath.Base(p), 0o755, b); err != nil {
			return nil, err
		}
	}
	return t.layer()
}

// image assembles one platform's image of a variant from layers.
func image(o options, p v1.Platform, variant, entrypoint string, layers ...v1.Layer) (v1.Image, error) {
	cf := &v1.ConfigFile{
		Architecture: p.Architecture,
		Variant:      p.Variant,
		OS:           p.OS,
		Created:      v1.Time{Time: o.created},
		RootFS:       v1.RootFS{Type: "layers"},
		Config: v1.Config{
			// Exec form: no shell needed to start. `docker run` runs the
			// CLI, GitLab overrides the entrypoint to run its script in the
			// shell variant, Drone and Woodpecker run the plugin image's
			// entrypoint. (The GitHub Action runs on the runner, not here.)
			Entrypoint: []string{entrypoint},
			Env: []string{
				"PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
				"SSL_CERT_FILE=/" + caBundlePath,
			},
			// Root: GitHub mounts the workspace owned by the runner's user
			// and docker actions must run as root to write it.
			User:       "0:0",
			WorkingDir: "/",
			Labels:     labels(o, variant),
		},
	}
	img, err := mutate.ConfigFile(mutate.MediaType(empty.Image, types.OCIManifestSchema1), cf)
	if err != nil {
		return nil, err
	}
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	var adds []mutate.Addendum
	for _, l := range layers {
		adds = append(adds, mutate.Addendum{Layer: l, History: v1.History{Created: v1.Time{Time: o.created}, CreatedBy: "savepoint tools/imagebuild"}})
	}
	return mutate.Append(img, adds...)
}

// labels are the org.opencontainers.image annotations of the config.
func labels(o options, variant string) map[string]string {
	l := map[string]string{
		"org.opencontainers.image.title":       "savepoint",
		"org.opencontainers.image.description": "Deduplicated, encrypted snapshots of CI state with one-step rollback (" + variant + " image)",
		"org.opencontainers.image.version":     o.version,
		"org.opencontainers.image.created":     o.created.UTC().Format(time.RFC3339),
	}
	if o.source != "" {
		l["org.opencontainers.image.source"] = o.source
		l["org.opencontainers.image.url"] = o.source
	}
	if o.revision != "" {
		l["org.opencontainers.image.revision"] = o.revision
	}
	return l
}

// tarBuilder writes a layer's tar in memory with fixed owners and times.
type tarBuilder struct {
	buf bytes.Buffer
	tw  *tar.Writer
	mod time.Time
}

func newTar(mod time.Time) *tarBuilder {
	t := &tarBuilder{mod: mod}
	t.tw = tar.NewWriter(&t.buf)
	return t
}

func (t *tarBuilder) dir(name string, mode int64) error {
	return t.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode, ModTime: t.mod, Format: tar.FormatPAX})
}

func (t *tarBuilder) file(name string, mode int64, data []byte) error {
	if err := t.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data)), ModTime: t.mod, Format: tar.FormatPAX}); err != nil {
		return err
	}
	_, err := t.tw.Write(data)
	return err
}

func (t *tarBuilder) symlink(name, target string) error {
	return t.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777, ModTime: t.mod, Format: tar.FormatPAX})
}

func (t *tarBuilder) layer() (v1.Layer, error) {
	if err := t.tw.Close(); err != nil {
		return nil, err
	}
	b := t.buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil },
		tarball.WithMediaType(types.OCILayer))
}

// baseLayer is the filesystem of an empty distribution: CA certificates,
// /tmp, and passwd/group entries for root.
func baseLayer(ca []byte, mod time.Time) (v1.Layer, error) {
	t := newTar(mod)
	for _, d := range []string{"etc", "etc/ssl", "etc/ssl/certs", "root", "usr", "usr/local", binDir, "bin"} {
		if err := t.dir(d, 0o755); err != nil {
			return nil, err
		}
	}
	if err := t.dir("tmp", 0o1777); err != nil {
		return nil, err
	}
	files := []struct {
		name string
		data string
	}{
		{"etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"},
		{"etc/group", "root:x:0:\nnogroup:x:65534:\n"},
		{caBundlePath, string(ca)},
	}
	for _, f := range files {
		if err := t.file(f.name, 0o644, []byte(f.data)); err != nil {
			return nil, err
		}
	}
	return t.layer()
}

// appLayer holds the CLI and the action entrypoint; the post entrypoint is
// a symlink (savepoint-action tells the post step by its name).
func appLayer(dir string, mod time.Time) (v1.Layer, error) {
	t := newTar(mod)
	for _, name := range []string{"savepoint", "savepoint-action"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		if err := checkStatic(filepath.Join(dir, name)); err != nil {
			return nil, err
		}
		if err := t.file(binDir+"/"+name, 0o755, b); err != nil {
			return nil, err
		}
	}
	if err := t.symlink(binDir+"/savepoint-action-post", "savepoint-action"); err != nil {
		return nil, err
	}
	return t.layer()
}

// shellLayer installs a static busybox as /bin/busybox with its applets.
func shellLayer(busybox string, mod time.Time) (v1.Layer, error) {
	if err := checkStatic(busybox); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(busybox)
	if err != nil {
		return nil, err
	}
	t := newTar(mod)
	if err := t.file("bin/busybox", 0o755, b); err != nil {
		return nil, err
	}
	for _, a := range busyboxApplets {
		if err := t.symlink("bin/"+a, "busybox"); err != nil {
			return nil, err
		}
	}
	return t.layer()
}

// checkStatic refuses dynamically linked executables: the images have no
// C library.
func checkStatic(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("%s: not an ELF executable: %w", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked: the image has no C library (use a static build, e.g. Debian's busybox-static, or CGO_ENABLED=0)", path)
		}
	}
	return nil
}

// parsePlatform parses os/arch[/variant].
func parsePlatform(s string) (v1.Platform, error) {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return v1.Platform{}, fmt.Errorf("platform %q: want os/arch, e.g. linux/arm64", s)
	}
	p := v1.Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		p.Variant = parts[2]
	}
	return p, nil
}
