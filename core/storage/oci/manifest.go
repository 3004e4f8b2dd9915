package oci

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// Media types and annotations of savepoint's artifact manifests.
const (
	mediaManifest = "application/vnd.oci.image.manifest.v1+json"
	mediaEmpty    = "application/vnd.oci.empty.v1+json"
	// emptyDigest is the digest of the two bytes "{}", the empty config.
	emptyDigest = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"

	annCreated = "org.opencontainers.image.created"
	annKind    = "io.savepoint.kind"
	annName    = "io.savepoint.name"

	// inlineMax is the largest free-name object whose bytes are also
	// inlined in its manifest (descriptor "data"), so Load needs one GET.
	inlineMax = 16 << 10
)

var emptyJSON = []byte("{}")

// errForeign marks a tag of savepoint's shape that holds someone else's
// manifest; List skips such tags.
var errForeign = errors.New("not a savepoint manifest")

// artifactType is the artifactType of manifests of kind k, and the media
// type of their single layer, e.g. application/vnd.savepoint.snapshot.v1.
func artifactType(k storage.Kind) string {
	return "application/vnd.savepoint." + tagPrefix[k] + ".v1"
}

type descriptor struct {
	MediaType string `json:"mediaType"`
	Digest    string `json:"digest"`
	Size      int64  `json:"size"`
	Data      []byte `json:"data,omitempty"`
}

type manifest struct {
	SchemaVersion int               `json:"schemaVersion"`
	MediaType     string            `json:"mediaType"`
	ArtifactType  string            `json:"artifactType"`
	Config        descriptor        `json:"config"`
	Layers        []descriptor      `json:"layers"`
	Annotations   map[string]string `json:"annotations,omitempty"`
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// newManifest returns the manifest bytes that reference the object h whose
// bytes are data (already uploaded as blob sha256:<digest>).
func newManifest(h storage.Handle, data []byte, digest string, created time.Time) ([]byte, error) {
	layer := descriptor{MediaType: artifactType(h.Kind), Digest: "sha256:" + digest, Size: int64(len(data))}
	if !h.Kind.ContentAddressed() && len(data) > 0 && len(data) <= inlineMax {
		layer.Data = data
	}
	m := manifest{
		SchemaVersion: 2,
		MediaType:     mediaManifest,
		ArtifactType:  artifactType(h.Kind),
		Config:        descriptor{MediaType: mediaEmpty, Digest: emptyDigest, Size: 2, Data: emptyJSON},
		Layers:        []descriptor{layer},
		Annotations: map[string]string{
			annCreated: created.UTC().Format(time.RFC3339Nano),
			annKind:    string(h.Kind),
			annName:    h.Name,
		},
	}
	return json.Marshal(m)
}

// parseManifest checks that raw is a savepoint manifest of object h and
// returns its layer and creation time.
func parseManifest(h storage.Handle, raw []byte) (descriptor, time.Time, error) {
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return descriptor{}, time.Time{}, fmt.Errorf("manifest of %s is not JSON: %v: %w (%w)", h, err, errForeign, storage.ErrInvalid)
	}
	if m.ArtifactType == mediaRemoved {
		return descriptor{}, time.Time{}, fmt.Errorf("oci: %s was removed: %w", h, storage.ErrNotFound)
	}
	if m.ArtifactType != artifactType(h.Kind) || len(m.Layers) != 1 || !strings.HasPrefix(m.Layers[0].Digest, "sha256:") {
		return descriptor{}, time.Time{}, fmt.Errorf("tag of %s holds a manifest savepoint did not write (artifactType %q): %w (%w)", h, m.ArtifactType, errForeign, storage.ErrInvalid)
	}
	created, _ := time.Parse(time.RFC3339Nano, m.Annotations[annCreated])
	l := m.Layers[0]
	if l.Data != nil && (int64(len(l.Data)) != l.Size || "sha256:"+sha256Hex(l.Data) != l.Digest) {
		l.Data = nil // inline copy does not match: read the blob instead
	}
	return l, created, nil
}
