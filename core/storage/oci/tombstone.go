package oci

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// Registries that refuse the DELETE API (GHCR answers 405 UNSUPPORTED;
// distribution does when deletion is disabled) cannot drop a tag. There,
// Remove overwrites the object's tag with a tombstone manifest (Stat, Load of
// free names and List then report the object missing) and, for a
// content-addressed object, also tags the tombstone "removed-<tag>" so List
// can hide it from the tags list alone. Space comes back when the registry
// operator deletes the untagged versions.
const (
	mediaRemoved  = "application/vnd.savepoint.removed.v1"
	removedPrefix = "removed-"
)

func newTombstone(h storage.Handle, created time.Time) ([]byte, error) {
	empty := descriptor{MediaType: mediaEmpty, Digest: emptyDigest, Size: 2, Data: emptyJSON}
	return json.Marshal(manifest{
		SchemaVersion: 2,
		MediaType:     mediaManifest,
		ArtifactType:  mediaRemoved,
		Config:        empty,
		Layers:        []descriptor{empty},
		Annotations: map[string]string{
			annCreated: created.UTC().Format(time.RFC3339Nano),
			annKind:    string(h.Kind),
			annName:    h.Name,
		},
	})
}

// refusesDelete reports whether err says the registry does not support
// deleting manifests at all.
func refusesDelete(err error) bool {
	var te *transport.Error
	if !errors.As(err, &te) {
		return false
	}
	if te.StatusCode == http.StatusMethodNotAllowed {
		return true
	}
	for _, d := range te.Errors {
		if d.Code == transport.UnsupportedErrorCode {
			return true
		}
	}
	return false
}

// tombstone hides h, whose tag is tag, on a registry that cannot delete.
func (b *Backend) tombstone(ctx context.Context, h storage.Handle, tag string) error {
	raw, err := newTombstone(h, b.now())
	if err != nil {
		return err
	}
	if h.Kind.ContentAddressed() {
		if err := b.pushManifest(ctx, "removing", h, removedPrefix+tag, raw); err != nil {
			return err
		}
	}
	return b.pushManifest(ctx, "removing", h, tag, raw)
}
