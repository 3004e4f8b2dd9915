package oci

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/transfer"
)

var errShortRange = fmt.Errorf("range reaches past the end of the object: %w", storage.ErrInvalid)

// Save uploads the object's blob, then pushes its tagged manifest: the tag
// appears only once the registry verified the blob's digest, so a reader
// never sees a partial object. Replacing a free-name object moves the tag to
// a new manifest; the old one stays untagged until the registry's GC (for
// distribution: garbage-collect --delete-untagged).
func (b *Backend) Save(ctx context.Context, h storage.Handle, data []byte) error {
	if err := checkName(h); err != nil {
		return err
	}
	digest := sha256Hex(data)
	if h.Kind.ContentAddressed() && digest != h.Name {
		return fmt.Errorf("oci: saving %s: the name is not the SHA-256 of the bytes (%s): %w", h, digest, storage.ErrInvalid)
	}
	if err := b.uploadBlob(ctx, digest, data); err != nil {
		return b.translate("saving", h.String(), err)
	}
	raw, err := newManifest(h, data, digest, b.now())
	if err != nil {
		return err
	}
	return b.pushManifest(ctx, "saving", h, tagFor(h, int64(len(data))), raw)
}

// pushManifest pushes raw under tag. The empty config blob every manifest
// refers to is uploaded by Create (init); a registry that reports it missing
// gets it then, and the push is tried once more.
func (b *Backend) pushManifest(ctx context.Context, op string, h storage.Handle, tag string, raw []byte) error {
	d, err := b.putManifest(ctx, tag, raw)
	if blobUnknown(err) {
		b.emptyMu.Lock()
		b.emptyReady = false
		b.emptyMu.Unlock()
		if err := b.ensureEmpty(ctx); err != nil {
			return err
		}
		d, err = b.putManifest(ctx, tag, raw)
	}
	if err != nil {
		return b.translate(op, h.String(), err)
	}
	if h.Kind == storage.KindSession {
		// Session markers have writer-unique names: remember the manifest
		// so removing the marker needs no HEAD (one request less per save).
		b.ownSessions.Store(tag, d)
	}
	return nil
}

// ensureEmpty uploads the empty config blob "{}" once per backend.
func (b *Backend) ensureEmpty(ctx context.Context) error {
	b.emptyMu.Lock()
	defer b.emptyMu.Unlock()
	if b.emptyReady {
		return nil
	}
	_, err := b.headBlob(ctx, scopePush, emptyDigest[len("sha256:"):])
	if statusOf(err) == http.StatusNotFound {
		err = b.uploadBlob(ctx, emptyDigest[len("sha256:"):], emptyJSON)
	}
	if err != nil {
		return b.translate("preparing", "the repository", err)
	}
	b.emptyReady = true
	return nil
}

// Load reads a content-addressed object straight from its blob (one GET);
// a free-name object through its tag's manifest (one GET when the bytes are
// inlined in the manifest, else two).
func (b *Backend) Load(ctx context.Context, h storage.Handle, offset, length int64) (io.ReadCloser, error) {
	if err := checkName(h); err != nil {
		return nil, err
	}
	if offset < 0 || length < 0 {
		return nil, fmt.Errorf("oci: loading %s: negative range: %w", h, storage.ErrInvalid)
	}
	digest := h.Name
	var size int64 = -1
	if !h.Kind.ContentAddressed() {
		raw, err := b.getManifest(ctx, tagFor(h, 0))
		if err != nil {
			return nil, b.missingRepo(ctx, h, b.translate("loading", h.String(), err))
		}
		l, _, err := parseManifest(h, raw)
		if err != nil {
			return nil, err
		}
		if l.Data != nil || l.Size == 0 {
			return sliceRange(h, l.Data, offset, length)
		}
		digest, size = l.Digest[len("sha256:"):], l.Size
	}
	if length == 0 && offset > 0 {
		if size < 0 {
			s, err := b.headBlob(ctx, scopePull, digest)
			if err != nil {
				return nil, b.translate("loading", h.String(), err)
			}
			size = s
		}
		if offset > size {
			return nil, fmt.Errorf("oci: loading %s: offset %d is past the end (%d bytes): %w", h, offset, size, storage.ErrInvalid)
		}
		if offset == size {
			return io.NopCloser(bytes.NewReader(nil)), nil
		}
		length = size - offset
	}
	fetch := func(ctx context.Context, off, n int64) (io.ReadCloser, int64, error) {
		rd, size, err := b.getBlob(ctx, digest, off, n)
		switch {
		case err == nil:
			return rd, size, nil
		case errors.Is(err, storage.ErrInvalid) || errors.Is(err, io.ErrUnexpectedEOF):
			return nil, 0, fmt.Errorf("oci: loading %s [%d,+%d): %w", h, off, n, err)
		case statusOf(err) == http.StatusRequestedRangeNotSatisfiable:
			return nil, 0, fmt.Errorf("oci: loading %s: range [%d,+%d) is past the end: %w", h, off, n, storage.ErrInvalid)
		}
		return nil, 0, b.translate("loading", h.String(), err)
	}
	// A body that breaks or stalls is asked for again from where it broke.
	return transfer.Resume(ctx, fetch, offset, length, attempts, fmt.Sprintf("oci %s: reading %s", b.repo, h), nil)
}

func sliceRange(h storage.Handle, data []byte, off, n int64) (io.ReadCloser, error) {
	if off > int64(len(data)) || (n > 0 && off+n > int64(len(data))) {
		return nil, fmt.Errorf("oci: loading %s: range [%d,+%d) is past the end (%d bytes): %w", h, off, n, len(data), storage.ErrInvalid)
	}
	if n == 0 {
		n = int64(len(data)) - off
	}
	return io.NopCloser(bytes.NewReader(data[off : off+n])), nil
}

// missingRepo adds ErrNoContainer to a config that was not found when the
// registry does not know the repository at all (one tags-list request, only
// on this path), so "no repository here" reads differently from "not a
// savepoint repository". Distribution answers MANIFEST_UNKNOWN for both.
func (b *Backend) missingRepo(ctx context.Context, h storage.Handle, err error) error {
	if h.Kind != storage.KindConfig || !errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrNoContainer) {
		return err
	}
	exists := false
	lerr := b.listTags(ctx, func(string) error { exists = true; return errStop })
	if lerr == nil && !exists {
		return fmt.Errorf("oci %s: repository does not exist or has no tags: %w (%w)", b.repo, storage.ErrNoContainer, storage.ErrNotFound)
	}
	return err
}

var errStop = errors.New("stop")

// Stat answers from the tag's manifest (size of its layer, creation-time
// annotation). A content-addressed object first needs a blob HEAD to learn
// its size, which is part of its tag.
func (b *Backend) Stat(ctx context.Context, h storage.Handle) (storage.Info, error) {
	if err := checkName(h); err != nil {
		return storage.Info{}, err
	}
	var size int64
	if h.Kind.ContentAddressed() {
		s, err := b.headBlob(ctx, scopePull, h.Name)
		if err != nil {
			return storage.Info{}, b.translate("stat", h.String(), err)
		}
		size = s
	}
	raw, err := b.getManifest(ctx, tagFor(h, size))
	if err != nil {
		return storage.Info{}, b.missingRepo(ctx, h, b.translate("stat", h.String(), err))
	}
	l, created, err := parseManifest(h, raw)
	if err != nil {
		return storage.Info{}, err
	}
	return storage.Info{Name: h.Name, Size: l.Size, ModTime: created}, nil
}

// List reads the repository's tags (one LIST request per page of PageSize
// tags). Keys, index segments and snapshots are answered from the tags
// alone, with a zero ModTime (Stat gives it); packs and free-name kinds cost
// one manifest GET each, for their ModTime.
func (b *Backend) List(ctx context.Context, k storage.Kind, fn func(storage.Info) error) error {
	if _, ok := tagPrefix[k]; !ok {
		return fmt.Errorf("unknown object kind %q: %w", k, storage.ErrInvalid)
	}
	var free []string
	var infos []storage.Info
	removed := map[string]bool{}
	err := b.listTags(ctx, func(tag string) error {
		if rest, ok := strings.CutPrefix(tag, removedPrefix); ok {
			removed[rest] = true
			return nil
		}
		name, size, ok := parseTag(k, tag)
		switch {
		case !ok:
		case k.ContentAddressed():
			infos = append(infos, storage.Info{Name: name, Size: size})
		default:
			free = append(free, name)
		}
		return nil
	})
	if err != nil {
		return b.translate("listing", string(k), err)
	}
	live := infos[:0]
	for _, fi := range infos {
		if !removed[tagFor(storage.Handle{Kind: k, Name: fi.Name}, fi.Size)] {
			live = append(live, fi)
		}
	}
	if k == storage.KindData || k == storage.KindMeta {
		// Prune judges unreferenced packs by age: give packs their real
		// ModTime (one manifest GET each, in parallel) rather than a
		// zero time that would read as "very old".
		var err error
		if live, err = b.packTimes(ctx, k, live); err != nil {
			return err
		}
	}
	for _, fi := range live {
		if err := ctx.Err(); err != nil {
			return b.translate("listing", string(k), err)
		}
		if err := fn(fi); err != nil {
			return err
		}
	}
	for _, name := range free {
		if err := ctx.Err(); err != nil {
			return b.translate("listing", string(k), err)
		}
		h := storage.Handle{Kind: k, Name: name}
		if checkName(h) != nil {
			continue
		}
		fi, err := b.Stat(ctx, h)
		if errors.Is(err, storage.ErrNotFound) || errors.Is(err, errForeign) {
			continue // removed since the listing, or not ours
		}
		if err != nil {
			return err
		}
		if err := fn(fi); err != nil {
			return err
		}
	}
	return nil
}

// Remove deletes the object's manifest by digest, which removes its tag; the
// blob stays until the registry's garbage collection reaps it (and a Load of
// a content-addressed object may still succeed until then). On registries
// that refuse deletion it leaves a tombstone instead (see tombstone.go).
func (b *Backend) Remove(ctx context.Context, h storage.Handle) error {
	if err := checkName(h); err != nil {
		return err
	}
	var size int64
	if h.Kind.ContentAddressed() {
		s, err := b.headBlob(ctx, scopeDelete, h.Name)
		if statusOf(err) == http.StatusNotFound {
			return nil
		}
		if err != nil {
			return b.translate("removing", h.String(), err)
		}
		size = s
	}
	tag := tagFor(h, size)
	var d string
	if v, ok := b.ownSessions.LoadAndDelete(tag); ok {
		d = v.(string)
	} else {
		var err error
		d, err = b.headManifest(ctx, scopeDelete, tag)
		if statusOf(err) == http.StatusNotFound {
			return nil
		}
		if err != nil {
			return b.translate("removing", h.String(), err)
		}
	}
	if b.noDelete.Load() {
		return b.tombstone(ctx, h, tag)
	}
	if err := b.deleteManifest(ctx, d); err != nil && statusOf(err) != http.StatusNotFound {
		if refusesDelete(err) {
			b.noDelete.Store(true)
			return b.tombstone(ctx, h, tag)
		}
		return b.translate("removing", h.String(), err)
	}
	if !b.tagDeleteUseless.Load() {
		// Some registries keep the tag when its manifest is deleted by
		// digest; delete the tag too. Where the tag is already gone,
		// remember that and save the request next time.
		if err := b.deleteManifest(ctx, tag); err != nil && ctx.Err() == nil {
			b.tagDeleteUseless.Store(true)
		}
	}
	return nil
}

var _ storage.Backend = (*Backend)(nil)

// Networked: every request crosses the network (storage.Networked).
func (b *Backend) Networked() bool { return true }

var _ storage.Creator = (*Backend)(nil)
var _ storage.RequestCounter = (*Backend)(nil)

// packTimes fills in the ModTime of listed packs from their manifests,
// Connections at a time, dropping packs removed meanwhile.
func (b *Backend) packTimes(ctx context.Context, k storage.Kind, infos []storage.Info) ([]storage.Info, error) {
	gone := make([]bool, len(infos))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(b.connections)
	for i := range infos {
		g.Go(func() error {
			h := storage.Handle{Kind: k, Name: infos[i].Name}
			raw, err := b.getManifest(gctx, tagFor(h, infos[i].Size))
			if err == nil {
				var created time.Time
				_, created, err = parseManifest(h, raw)
				infos[i].ModTime = created
			}
			switch {
			case err == nil:
			case statusOf(err) == http.StatusNotFound || errors.Is(err, storage.ErrNotFound) || errors.Is(err, errForeign):
				gone[i] = true
			default:
				return b.translate("listing", string(k), err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := infos[:0]
	for i, fi := range infos {
		if !gone[i] {
			out = append(out, fi)
		}
	}
	return out, nil
}
