package engine

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
)

// inspected is what `podman image inspect` says about an image.
type inspected struct {
	Size   int64
	Config struct {
		Entrypoint []string
		Env        []string
		User       string
		WorkingDir string
		Labels     map[string]string
	}
}

func inspectImage(t *testing.T, ref string) inspected {
	t.Helper()
	var out []inspected
	if err := json.Unmarshal([]byte(podman(t, "image", "inspect", ref)), &out); err != nil || len(out) != 1 {
		t.Fatalf("podman image inspect %s: %v (%d images)", ref, err, len(out))
	}
	return out[0]
}

// TestImages starts each image in the engine as its platform does and
// checks what users rely on: the version, the entrypoints, the labels, the
// CA certificates, root, and the size the docs claim.
func TestImages(t *testing.T) {
	t.Parallel()
	im := requireEngine(t)
	caBundle, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		variant, ref, entrypoint string
		shell                    bool
	}{
		{"minimal", im.minimal, "/usr/local/bin/savepoint", false},
		{"shell", im.shell, "/usr/local/bin/savepoint", true},
		{"plugin", im.plugin, "/usr/local/bin/savepoint-plugin", false},
	} {
		t.Run(c.variant, func(t *testing.T) {
			info := inspectImage(t, c.ref)
			cfg := info.Config
			if !slices.Equal(cfg.Entrypoint, []string{c.entrypoint}) {
				t.Errorf("entrypoint %q, want [%s] (exec form)", cfg.Entrypoint, c.entrypoint)
			}
			if cfg.User != "0:0" {
				t.Errorf("user %q, want 0:0 (GitHub runs docker actions as root)", cfg.User)
			}
			if !slices.Contains(cfg.Env, "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt") {
				t.Errorf("env %q lacks SSL_CERT_FILE", cfg.Env)
			}
			for k, want := range map[string]string{
				"org.opencontainers.image.title":    "savepoint",
				"org.opencontainers.image.version":  im.version,
				"org.opencontainers.image.revision": im.revision,
				"org.opencontainers.image.source":   "https://github.com/savepoint-ci/savepoint",
			} {
				if got := cfg.Labels[k]; got != want {
					t.Errorf("label %s = %q, want %q", k, got, want)
				}
			}
			if d := cfg.Labels["org.opencontainers.image.description"]; !strings.Contains(d, c.variant+" image") {
				t.Errorf("description %q does not name the %s image", d, c.variant)
			}
			t.Logf("%s: %.1f MB unpacked", c.ref, float64(info.Size)/1e6)

			// The default entrypoint prints the version.
			v := run(t, nil, c.ref, "--version")
			if v.code != 0 || !strings.Contains(v.stdout, "version "+im.version) {
				t.Errorf("%s --version: exit %d, %q, want version %s", c.ref, v.code, v.output(), im.version)
			}
			if got := copyOut(t, c.ref, "/etc/ssl/certs/ca-certificates.crt"); !bytes.Equal(got, caBundle) {
				t.Errorf("the CA bundle in the image differs from the build machine's (%d bytes, want %d)", len(got), len(caBundle))
			}
			sh := run(t, nil, "--entrypoint", "/bin/sh", c.ref, "-c", "exit 0")
			if c.shell != (sh.code == 0) {
				t.Errorf("/bin/sh in the %s image: exit %d (want a shell: %v)", c.variant, sh.code, c.shell)
			}
		})
	}

	// The minimal image still carries the action's entrypoint (the action
	// itself runs it on the runner: docs/github.md, The images).
	for _, entry := range []string{"savepoint-action", "savepoint-action-post"} {
		if r := run(t, nil, "--entrypoint", "/usr/local/bin/"+entry, im.minimal, "--version"); r.code != 0 || !strings.Contains(r.stdout, im.version) {
			t.Errorf("%s --version: exit %d, %q", entry, r.code, r.output())
		}
	}
	// GitLab runs the job script in the shell image with `entrypoint: [""]`;
	// the script finds savepoint on PATH and the usual tools.
	script := `set -e; savepoint --version; command -v savepoint; echo x | gzip | gunzip; id -u; pwd`
	r := run(t, nil, "--entrypoint", "", "-w", "/builds/acme/app", im.shell, "sh", "-c", script)
	if r.code != 0 || !strings.Contains(r.stdout, "version "+im.version) || !strings.Contains(r.stdout, "/usr/local/bin/savepoint\nx\n0\n/builds/acme/app") {
		t.Errorf("a GitLab script in the shell image: exit %d\n%s", r.code, r.output())
	}
	// Drone and Woodpecker start the plugin's entrypoint with no command:
	// without settings it names the missing one and exits 2 (usage).
	p := run(t, nil, "-w", "/drone/src", im.plugin)
	if p.code != 2 || !strings.Contains(p.stderr, "repository") {
		t.Errorf("the plugin without settings: exit %d, %q; want 2 naming the repository setting", p.code, p.output())
	}
	checkDocumentedSizes(t)
}

// copyOut reads one file of an image through the engine (docker cp from a
// created, never started container: works for images without a shell).
func copyOut(t *testing.T, ref, path string) []byte {
	t.Helper()
	id := strings.TrimSpace(mustDocker(t, "create", ref))
	defer docker(t, nil, "rm", "-f", id)
	r := docker(t, nil, "cp", id+":"+path, "-")
	if r.code != 0 {
		t.Fatalf("docker cp %s: %s", path, r.stderr)
	}
	tr := tar.NewReader(strings.NewReader(r.stdout))
	if _, err := tr.Next(); err != nil {
		t.Fatalf("docker cp %s: %v", path, err)
	}
	b, err := io.ReadAll(tr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
