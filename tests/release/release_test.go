package release

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/buildinfo"
	"debug/macho"
	"debug/pe"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/doctest"
)

const version = "v0.0.0-releasetest"

// TestReleaseCrossTarget builds the darwin/arm64 and windows releases
// (cross targets from any CI machine) and checks every file it wrote.
func TestReleaseCrossTarget(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles and installs cyclonedx-gomod")
	}
	dist := t.TempDir()
	cmd := exec.Command("bash", filepath.Join(doctest.Root(), "scripts", "release.sh"))
	cmd.Env = append(os.Environ(), "DIST="+dist, "RELEASE_PLATFORMS=darwin/arm64 windows/amd64 windows/arm64", "VERSION="+version)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("release.sh: %v\n%s", err, out)
	}
	checkSums(t, dist, []string{
		"savepoint_" + version + "_completions.tar.gz",
		"savepoint_" + version + "_darwin_arm64",
		"savepoint_" + version + "_darwin_arm64.cdx.json",
		"savepoint_" + version + "_windows_amd64.cdx.json",
		"savepoint_" + version + "_windows_amd64.exe",
		"savepoint_" + version + "_windows_arm64.cdx.json",
		"savepoint_" + version + "_windows_arm64.exe",
	})
	for _, p := range []struct{ goos, goarch, exe string }{
		{"darwin", "arm64", ""}, {"windows", "amd64", ".exe"}, {"windows", "arm64", ".exe"},
	} {
		base := filepath.Join(dist, "savepoint_"+version+"_"+p.goos+"_"+p.goarch)
		checkFormat(t, base+p.exe, p.goos, p.goarch)
		bi, err := buildinfo.ReadFile(base + p.exe)
		if err != nil {
			t.Fatal(err)
		}
		// -trimpath builds do not record their -ldflags; the stamped version
		// is a string in the binary.
		if data, err := os.ReadFile(base + p.exe); err != nil || !bytes.Contains(data, []byte(version)) {
			t.Fatalf("the %s binary does not carry its version %s (%v)", p.goos, version, err)
		}
		if setting(bi, "GOOS") != p.goos || setting(bi, "GOARCH") != p.goarch || setting(bi, "CGO_ENABLED") != "0" || setting(bi, "-trimpath") != "true" {
			t.Fatalf("the %s/%s binary was built with %v", p.goos, p.goarch, bi.Settings)
		}
		checkSBOM(t, base+".cdx.json", bi)
	}
	checkCompletions(t, filepath.Join(dist, "savepoint_"+version+"_completions.tar.gz"))
}

// checkFormat: path is an executable of goos (Mach-O or PE) for goarch.
func checkFormat(t *testing.T, path, goos, goarch string) {
	t.Helper()
	switch goos {
	case "darwin":
		f, err := macho.Open(path)
		if err != nil {
			t.Fatalf("the darwin binary is not Mach-O: %v", err)
		}
		defer f.Close()
		if want := map[string]macho.Cpu{"amd64": macho.CpuAmd64, "arm64": macho.CpuArm64}[goarch]; f.Cpu != want {
			t.Fatalf("the darwin/%s binary is for %v", goarch, f.Cpu)
		}
	case "windows":
		f, err := pe.Open(path)
		if err != nil {
			t.Fatalf("the windows binary is not PE: %v", err)
		}
		defer f.Close()
		if want := map[string]uint16{"amd64": pe.IMAGE_FILE_MACHINE_AMD64, "arm64": pe.IMAGE_FILE_MACHINE_ARM64}[goarch]; f.Machine != want {
			t.Fatalf("the windows/%s binary is for machine %#x", goarch, f.Machine)
		}
	default:
		t.Fatalf("no format check for %s", goos)
	}
}

// The default platforms are linux, darwin and windows on amd64 and arm64
// (what `make release` builds without RELEASE_PLATFORMS).
func TestReleaseDefaultPlatforms(t *testing.T) {
	script, err := os.ReadFile(filepath.Join(doctest.Root(), "scripts", "release.sh"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(script), "platforms=${RELEASE_PLATFORMS:-")
	list, _, _ := strings.Cut(rest, "}")
	got := strings.Fields(list)
	sort.Strings(got)
	want := []string{"darwin/amd64", "darwin/arm64", "linux/amd64", "linux/arm64", "windows/amd64", "windows/arm64"}
	if !ok || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("release.sh's default platforms are %v, want %v", got, want)
	}
}

func setting(bi *buildinfo.BuildInfo, key string) string {
	for _, s := range bi.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}

// checkSums: SHA256SUMS names exactly want, each with its file's hash.
func checkSums(t *testing.T, dist string, want []string) {
	f, err := os.Open(filepath.Join(dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("SHA256SUMS line %q is not sha256sum's format", sc.Text())
		}
		data, err := os.ReadFile(filepath.Join(dist, name))
		if err != nil {
			t.Fatalf("SHA256SUMS names %s: %v", name, err)
		}
		got := sha256.Sum256(data)
		if hex.EncodeToString(got[:]) != sum {
			t.Fatalf("SHA256SUMS: %s does not match", name)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("SHA256SUMS covers %v, want %v", names, want)
	}
}

// checkSBOM: a CycloneDX document for this module and version listing
// every module linked into the binary, each with its version and license.
func checkSBOM(t *testing.T, path string, bi *buildinfo.BuildInfo) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var bom struct {
		BOMFormat   string `json:"bomFormat"`
		SpecVersion string `json:"specVersion"`
		Metadata    struct {
			Component struct{ Name, Version string } `json:"component"`
		} `json:"metadata"`
		Components []struct {
			Name, Version, Purl string
			Licenses            []json.RawMessage `json:"licenses"`
		} `json:"components"`
	}
	if err := json.Unmarshal(data, &bom); err != nil {
		t.Fatalf("the SBOM is not JSON: %v", err)
	}
	if bom.BOMFormat != "CycloneDX" || bom.SpecVersion == "" {
		t.Fatalf("not a CycloneDX document: format %q, spec %q", bom.BOMFormat, bom.SpecVersion)
	}
	if bom.Metadata.Component.Name != bi.Main.Path || bom.Metadata.Component.Version != version {
		t.Fatalf("the SBOM describes %s %s", bom.Metadata.Component.Name, bom.Metadata.Component.Version)
	}
	listed := map[string]string{}
	for _, c := range bom.Components {
		listed[c.Name] = c.Version
		if len(c.Licenses) == 0 {
			t.Errorf("SBOM: %s has no license", c.Name)
		}
	}
	for _, d := range bi.Deps {
		if d.Replace != nil {
			d = d.Replace
		}
		if listed[d.Path] != d.Version {
			t.Errorf("SBOM lists %s at %q, the binary links %s", d.Path, listed[d.Path], d.Version)
		}
	}
	if len(bom.Components) != len(bi.Deps) {
		t.Errorf("SBOM lists %d components, the binary links %d modules", len(bom.Components), len(bi.Deps))
	}
}

// checkCompletions: the archive holds the three completion scripts.
func checkCompletions(t *testing.T, path string) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	found := map[string]int64{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		found[h.Name] = h.Size
	}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		if found["completions/savepoint."+sh] == 0 {
			t.Errorf("the completions archive lacks savepoint.%s: %v", sh, found)
		}
	}
}
