package engine

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"

	"github.com/savepoint-ci/savepoint/internal/doctest"
)

// checkDocumentedSizes compares the compressed sizes docs/github.md claims
// for this architecture with the images `make image` wrote (what a push
// uploads and a pull downloads).
func checkDocumentedSizes(t *testing.T) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(doctest.Root(), "docs", "github.md"))
	if err != nil {
		t.Fatal(err)
	}
	sentence := regexp.MustCompile(`(?s)linux/` + runtime.GOARCH + `[^:;]*:?\s*((?:\w+\s+[\d.]+\s+MB,?\s*)+)`).FindStringSubmatch(string(b))
	if sentence == nil {
		t.Fatalf("docs/github.md states no image sizes for linux/%s", runtime.GOARCH)
	}
	claims := map[string]float64{}
	for _, m := range regexp.MustCompile(`(\w+)\s+([\d.]+)\s+MB`).FindAllStringSubmatch(sentence[1], -1) {
		claims[m[1]], _ = strconv.ParseFloat(m[2], 64)
	}
	actual := layoutSizes(t, filepath.Join(doctest.Root(), "bin", "image"))
	for variant, mb := range actual {
		claim, ok := claims[variant]
		if !ok {
			t.Errorf("docs/github.md gives no size for the %s image on linux/%s (it is %.1f MB)", variant, runtime.GOARCH, mb)
			continue
		}
		if mb > claim*1.2 || mb < claim*0.8 {
			t.Errorf("the %s image is %.1f MB compressed, docs/github.md says %.1f MB: update the docs", variant, mb, claim)
		}
	}
}

// layoutSizes sums the compressed layers of each variant's image for this
// architecture in an OCI layout.
func layoutSizes(t *testing.T, dir string) map[string]float64 {
	t.Helper()
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatalf("the OCI layout of make image: %v", err)
	}
	top, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	sizes := map[string]float64{}
	for _, d := range top.Manifests {
		img, err := platformImage(idx, d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		if img == nil {
			continue
		}
		man, err := img.Manifest()
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		for _, l := range man.Layers {
			n += l.Size
		}
		sizes[d.Annotations["org.opencontainers.image.ref.name"]] = float64(n) / 1e6
	}
	if len(sizes) != 3 {
		t.Fatalf("bin/image holds %v for linux/%s, want minimal, shell and plugin", sizes, runtime.GOARCH)
	}
	return sizes
}

// platformImage is the image for this machine's architecture in the
// variant's index digest of the layout's index (nil if it has none).
func platformImage(idx v1.ImageIndex, digest v1.Hash) (v1.Image, error) {
	child, err := idx.ImageIndex(digest)
	if err != nil {
		return nil, err
	}
	cm, err := child.IndexManifest()
	if err != nil {
		return nil, err
	}
	for _, m := range cm.Manifests {
		if m.Platform != nil && m.Platform.Architecture == runtime.GOARCH {
			return child.Image(m.Digest)
		}
	}
	return nil, nil
}
