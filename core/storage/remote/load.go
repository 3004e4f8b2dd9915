package remote

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/transfer"
)

// maxResumes bounds how often one Load continues a body that broke.
const maxResumes = 3

// Load returns bytes [offset, offset+length) of an object (length 0: to the
// end) from one ranged GET, made before Load returns so a missing object
// is reported here. A body that breaks while being read is continued with
// a ranged GET for the rest (transfer.Resume), at most maxResumes times.
func (b *Backend) Load(ctx context.Context, h storage.Handle, offset, length int64) (io.ReadCloser, error) {
	if err := storage.CheckHandle(h); err != nil {
		return nil, err
	}
	if offset < 0 || length < 0 {
		return nil, fmt.Errorf("loading %s: negative range %d+%d: %w", h, offset, length, storage.ErrInvalid)
	}
	fetch := func(ctx context.Context, off, n int64) (io.ReadCloser, int64, error) { return b.get(ctx, h, off, n) }
	return transfer.Resume(ctx, fetch, offset, length, 1+maxResumes, "loading "+h.String(), nil)
}

// get asks for bytes [off, off+n) of h (n 0: to the end) and returns the
// body and its length (-1: unknown).
func (b *Backend) get(ctx context.Context, h storage.Handle, off, n int64) (io.ReadCloser, int64, error) {
	hdr := http.Header{}
	if off > 0 || n > 0 {
		hdr.Set("Range", rangeHeader(off, n))
	}
	resp, err := b.do(ctx, b.client, http.MethodGet, b.objectURL(h), nil, hdr)
	if err != nil {
		return nil, 0, fmt.Errorf("loading %s: %w", h, err)
	}
	if n > 0 && resp.ContentLength != n {
		resp.Body.Close()
		return nil, 0, fmt.Errorf("loading %s: the server sent %d bytes for a range of %d: %w", h, resp.ContentLength, n, storage.ErrUnavailable)
	}
	// Without a length (a whole object, streamed) the body's end is
	// framed by HTTP (chunked encoding, HTTP/2 end of stream): a cut-off
	// body reads as an error, never as a short object.
	return resp.Body, resp.ContentLength, nil
}
