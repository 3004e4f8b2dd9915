package image

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Record is what a checkpoint stores about an image.
type Record struct {
	Image  string // the reference as given (registry/repo:tag)
	Digest string // sha256:... of the manifest the tag pointed to
	PinTag string // tag added by Pin, empty if not pinned
}

// Resolve returns the digest the tag ref points to now (one HEAD of the
// manifest).
func (c *Client) Resolve(ctx context.Context, ref string) (Record, error) {
	tag, err := c.ParseTag(ref)
	if err != nil {
		return Record{}, err
	}
	opts, err := c.remoteOptions(ctx, tag.Registry)
	if err != nil {
		return Record{}, err
	}
	pl, err := remote.NewPuller(opts...)
	if err != nil {
		return Record{}, err
	}
	desc, err := pl.Head(ctx, tag)
	if err != nil {
		return Record{}, describe("resolving image", tag, err)
	}
	return Record{Image: ref, Digest: desc.Digest.String()}, nil
}

// PinTagName is the tag Pin adds: savepoint-pin-<UTC time>-<12 hex of the
// digest>, unique per checkpoint and image and sortable by time.
func PinTagName(at time.Time, digest string) string {
	short := strings.TrimPrefix(digest, "sha256:")
	if len(short) > 12 {
		short = short[:12]
	}
	return "savepoint-pin-" + at.UTC().Format("20060102t150405z") + "-" + short
}

// ResolveAndPin reads the manifest the tag ref points to and tags that
// same manifest (by its bytes, so a concurrent tag move cannot slip in)
// with a pin tag. Requests: one manifest GET, one manifest PUT.
func (c *Client) ResolveAndPin(ctx context.Context, ref string, at time.Time) (Record, error) {
	tag, err := c.ParseTag(ref)
	if err != nil {
		return Record{}, err
	}
	pl, ps, err := c.clients(ctx, tag.Registry)
	if err != nil {
		return Record{}, err
	}
	desc, err := pl.Get(ctx, tag)
	if err != nil {
		return Record{}, describe("resolving image", tag, err)
	}
	rec := Record{Image: ref, Digest: desc.Digest.String(), PinTag: PinTagName(at, desc.Digest.String())}
	pin := tag.Context().Tag(rec.PinTag)
	if err := ps.Put(ctx, pin, desc); err != nil {
		return Record{}, describe("pinning image", pin, err)
	}
	return rec, nil
}

// Current returns the digest tag ref points to now.
func (c *Client) Current(ctx context.Context, ref string) (string, error) {
	rec, err := c.Resolve(ctx, ref)
	return rec.Digest, err
}

// Repoint makes the tag ref point to digest again, without pulling or
// pushing layers: it reads the manifest by digest and puts it under the
// tag. It reports whether the tag moved (false: it already pointed there).
func (c *Client) Repoint(ctx context.Context, ref, digest string) (bool, error) {
	tag, err := c.ParseTag(ref)
	if err != nil {
		return false, err
	}
	pl, ps, err := c.clients(ctx, tag.Registry)
	if err != nil {
		return false, err
	}
	if cur, err := pl.Head(ctx, tag); err == nil && cur.Digest.String() == digest {
		return false, nil
	}
	dref, err := name.NewDigest(tag.Context().String()+"@"+digest, c.nameOptions()...)
	if err != nil {
		return false, fmt.Errorf("image %s: recorded digest %q: %v", ref, digest, err)
	}
	desc, err := pl.Get(ctx, dref)
	if err != nil {
		return false, describe("reading the recorded manifest", dref, err)
	}
	if err := ps.Put(ctx, tag, desc); err != nil {
		return false, describe("re-pointing tag", tag, err)
	}
	return true, nil
}

// clients returns a puller and a pusher for one operation: each keeps its
// authenticated transport across the requests of that operation.
func (c *Client) clients(ctx context.Context, reg name.Registry) (*remote.Puller, *remote.Pusher, error) {
	opts, err := c.remoteOptions(ctx, reg)
	if err != nil {
		return nil, nil, err
	}
	pl, err := remote.NewPuller(opts...)
	if err != nil {
		return nil, nil, err
	}
	ps, err := remote.NewPusher(opts...)
	if err != nil {
		return nil, nil, err
	}
	return pl, ps, nil
}

// Exists reports whether the repository of ref still holds the manifest
// digest (one HEAD by digest): a rollback checks this before it starts.
func (c *Client) Exists(ctx context.Context, ref, digest string) error {
	tag, err := c.ParseTag(ref)
	if err != nil {
		return err
	}
	dref, err := name.NewDigest(tag.Context().String()+"@"+digest, c.nameOptions()...)
	if err != nil {
		return fmt.Errorf("image %s: recorded digest %q: %v", ref, digest, err)
	}
	opts, err := c.remoteOptions(ctx, tag.Registry)
	if err != nil {
		return err
	}
	pl, err := remote.NewPuller(opts...)
	if err != nil {
		return err
	}
	if _, err := pl.Head(ctx, dref); err != nil {
		return describe("checking the recorded manifest", dref, err)
	}
	return nil
}
