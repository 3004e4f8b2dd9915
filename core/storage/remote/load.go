package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// maxResumes bounds how often one Load continues a body that broke.
const maxResumes = 3

// Load returns bytes [offset, offset+length) of an object (length 0: to the
// end) from one ranged GET, made before Load returns so a missing object
// is reported here. A body that breaks while being read is continued with
// a ranged GET for the rest, at most maxResumes times.
func (b *Backend) Load(ctx context.Context, h storage.Handle, offset, length int64) (io.ReadCloser, error) {
	if err := storage.CheckHandle(h); err != nil {
		return nil, err
	}
	if offset < 0 || length < 0 {
		return nil, fmt.Errorf("loading %s: negative range %d+%d: %w", h, offset, length, storage.ErrInvalid)
	}
	r := &body{b: b, ctx: ctx, h: h, off: offset, left: length}
	if err := r.open(); err != nil {
		return nil, err
	}
	return r, nil
}

// body reads a ranged GET and resumes it after a broken connection.
type body struct {
	b       *Backend
	ctx     context.Context
	h       storage.Handle
	off     int64 // next byte to read
	left    int64 // bytes still to read; before the first open 0 means to the end; -1: to the end, length unknown
	rc      io.ReadCloser
	resumes int
}

func (r *body) open() error {
	hdr := http.Header{}
	if r.off > 0 || r.left > 0 {
		hdr.Set("Range", rangeHeader(r.off, max(r.left, 0)))
	}
	resp, err := r.b.do(r.ctx, r.b.client, http.MethodGet, r.b.objectURL(r.h), nil, hdr)
	if err != nil {
		return fmt.Errorf("loading %s: %w", r.h, err)
	}
	if r.left > 0 && resp.ContentLength != r.left {
		resp.Body.Close()
		return fmt.Errorf("loading %s: the server sent %d bytes for a range of %d: %w", r.h, resp.ContentLength, r.left, storage.ErrUnavailable)
	}
	// Without a length (a whole object, streamed) the body's end is
	// framed by HTTP (chunked encoding, HTTP/2 end of stream): a cut-off
	// body reads as an error, never as a short object.
	r.rc, r.left = resp.Body, resp.ContentLength
	return nil
}

func (r *body) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	if r.left > 0 && int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, err := r.rc.Read(p)
	r.off += int64(n)
	if r.left > 0 {
		r.left -= int64(n)
		if r.left == 0 {
			return n, nil
		}
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
	} else if err == io.EOF {
		return n, io.EOF
	}
	if err != nil && r.ctx.Err() == nil && r.resumes < maxResumes && !errors.Is(err, context.Canceled) {
		r.resumes++
		r.rc.Close()
		if oerr := r.open(); oerr != nil {
			return n, oerr
		}
		return n, nil
	}
	return n, err
}

func (r *body) Close() error { return r.rc.Close() }
