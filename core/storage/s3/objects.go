package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/transfer"
)

// Save stores data with one PUT request carrying a Content-MD5 checksum:
// S3 stores the object whole or not at all, and refuses a body that was
// damaged on the way. Multipart is disabled, so the part size is
// effectively the object size (objects above 5 GiB are refused by AWS).
func (b *Backend) Save(ctx context.Context, h storage.Handle, data []byte) error {
	if err := storage.CheckHandle(h); err != nil {
		return err
	}
	ctx, done := b.op(ctx)
	defer done()
	opts := minio.PutObjectOptions{
		ContentType:      "application/octet-stream",
		SendContentMd5:   true,
		DisableMultipart: true,
		// The MD5 is the body's checksum on HTTP and HTTPS alike; signing
		// the payload too (minio-go's streaming signature on plain HTTP)
		// would hash every pack twice and report a damaged body as a
		// signature mismatch, which reads like wrong credentials.
		DisableContentSha256: true,
	}
	if h.Kind == storage.KindData {
		opts.StorageClass = b.opts.StorageClass
	}
	_, err := b.client.PutObject(ctx, b.opts.Bucket, b.key(h), bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		return b.translate(ctx, err, "saving "+h.String())
	}
	return nil
}

// Load returns bytes [offset, offset+length) of the object (length 0: to
// the end) from one ranged GET. The request is made before Load returns, so
// a missing object is reported by Load itself. A body that breaks or stalls
// while being read is resumed with another ranged GET for the rest
// (transfer.Resume), within the same attempt budget as requests.
func (b *Backend) Load(ctx context.Context, h storage.Handle, offset, length int64) (io.ReadCloser, error) {
	if err := storage.CheckHandle(h); err != nil {
		return nil, err
	}
	if offset < 0 || length < 0 {
		return nil, fmt.Errorf("s3: loading %s: negative range %d+%d: %w", h, offset, length, storage.ErrInvalid)
	}
	ctx, done := b.op(ctx)
	fetch := func(ctx context.Context, off, n int64) (io.ReadCloser, int64, error) { return b.get(ctx, h, off, n) }
	return transfer.Resume(ctx, fetch, offset, length, b.maxRetries, "s3: reading "+h.String(), done)
}

// get issues one ranged GET and returns the body and its length.
func (b *Backend) get(ctx context.Context, h storage.Handle, offset, length int64) (io.ReadCloser, int64, error) {
	var opts minio.GetObjectOptions
	switch {
	case length > 0:
		opts.SetRange(offset, offset+length-1)
	case offset > 0:
		opts.SetRange(offset, 0)
	}
	body, info, _, err := b.core.GetObject(ctx, b.opts.Bucket, b.key(h), opts)
	if err != nil {
		return nil, 0, b.translate(ctx, err, "loading "+h.String())
	}
	if length > 0 && info.Size != length {
		body.Close()
		return nil, 0, fmt.Errorf("s3: loading %s: range %d+%d is past the end of the object: %w", h, offset, length, storage.ErrInvalid)
	}
	return body, info.Size, nil
}

// Stat returns the size and time of an object with one HEAD request.
func (b *Backend) Stat(ctx context.Context, h storage.Handle) (storage.Info, error) {
	if err := storage.CheckHandle(h); err != nil {
		return storage.Info{}, err
	}
	ctx, done := b.op(ctx)
	defer done()
	info, err := b.client.StatObject(ctx, b.opts.Bucket, b.key(h), minio.StatObjectOptions{})
	if err != nil {
		return storage.Info{}, b.translate(ctx, err, "checking "+h.String())
	}
	return storage.Info{Name: h.Name, Size: info.Size, ModTime: info.LastModified}, nil
}

// List calls fn for every object of kind k. Each page of up to 1000 keys is
// one LIST request.
func (b *Backend) List(ctx context.Context, k storage.Kind, fn func(storage.Info) error) error {
	if err := storage.CheckHandle(storage.Handle{Kind: k, Name: "x"}); err != nil {
		return err
	}
	ctx, done := b.op(ctx)
	defer done() // also stops minio-go's listing goroutine when fn fails
	prefix := b.kindPrefix(k)
	for obj := range b.client.ListObjects(ctx, b.opts.Bucket, minio.ListObjectsOptions{Prefix: prefix}) {
		if obj.Err != nil {
			return b.translate(ctx, obj.Err, "listing "+string(k))
		}
		name := path.Base(obj.Key)
		if obj.Key != prefix+name || name == "" || name[0] == '.' {
			continue // not ours: a "directory" or a foreign key
		}
		if err := fn(storage.Info{Name: name, Size: obj.Size, ModTime: obj.LastModified}); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return b.translate(ctx, err, "listing "+string(k))
	}
	return nil
}

// Remove deletes an object with one DELETE request; a missing object is
// not an error (S3 answers 204 either way).
func (b *Backend) Remove(ctx context.Context, h storage.Handle) error {
	if err := storage.CheckHandle(h); err != nil {
		return err
	}
	ctx, done := b.op(ctx)
	defer done()
	err := b.client.RemoveObject(ctx, b.opts.Bucket, b.key(h), minio.RemoveObjectOptions{})
	if err != nil {
		err = b.translate(ctx, err, "removing "+h.String())
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
	}
	return err
}

var _ storage.Namespace = (*Backend)(nil)

// Names calls fn with every key prefix directly below the backend's prefix
// (the repositories of a server whose storage is this prefix): one LIST
// request per 1000 names.
func (b *Backend) Names(ctx context.Context, fn func(name string) error) error {
	ctx, done := b.op(ctx)
	defer done()
	prefix := ""
	if b.opts.Prefix != "" {
		prefix = b.opts.Prefix + "/"
	}
	for obj := range b.client.ListObjects(ctx, b.opts.Bucket, minio.ListObjectsOptions{Prefix: prefix}) {
		if obj.Err != nil {
			return b.translate(ctx, obj.Err, "listing "+prefix)
		}
		name, ok := strings.CutSuffix(strings.TrimPrefix(obj.Key, prefix), "/")
		if !ok || name == "" || strings.Contains(name, "/") {
			continue // an object, not a prefix
		}
		if err := fn(name); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return b.translate(ctx, err, "listing "+prefix)
	}
	return nil
}
