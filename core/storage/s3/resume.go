package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// resumeReader streams a ranged GET. minio-go retries a request until its
// response headers arrive; a body that breaks afterwards (connection reset,
// truncated transfer) would fail the caller's read. resumeReader instead
// asks for the rest of the range again, with the same attempt budget and
// backoff as minio-go, so a flaky network costs a request, not a restore.
type resumeReader struct {
	b         *Backend
	ctx       context.Context
	done      func()
	h         storage.Handle
	body      io.ReadCloser
	offset    int64 // of the next byte to read
	remaining int64 // bytes still to read (unknown until open when toEnd)
	toEnd     bool
	failures  int
	closed    bool
}

// open requests [offset, offset+remaining) or, when toEnd, [offset, end).
func (r *resumeReader) open() error {
	length := r.remaining
	if r.toEnd {
		length = 0
	}
	body, n, err := r.b.get(r.ctx, r.h, r.offset, length)
	if err != nil {
		return err
	}
	r.body, r.remaining, r.toEnd = body, n, false
	return nil
}

func (r *resumeReader) Read(p []byte) (int, error) {
	if r.closed {
		return 0, errors.New("s3: read after close")
	}
	for {
		if r.remaining == 0 {
			return 0, io.EOF
		}
		if int64(len(p)) > r.remaining {
			p = p[:r.remaining]
		}
		n, err := r.body.Read(p)
		r.offset += int64(n)
		r.remaining -= int64(n)
		if err == nil || (err == io.EOF && r.remaining == 0) {
			if n > 0 || err == nil {
				return n, nil
			}
			return 0, io.EOF
		}
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		if n > 0 {
			// Hand out what arrived; the next Read resumes.
			r.body.Close()
			r.body = io.NopCloser(&errReader{err})
			return n, nil
		}
		if rerr := r.resume(err); rerr != nil {
			return 0, rerr
		}
	}
}

// resume replaces a broken body by a new GET for the rest of the range.
func (r *resumeReader) resume(cause error) error {
	r.body.Close()
	r.failures++
	if r.failures >= r.b.maxRetries || r.ctx.Err() != nil {
		if r.ctx.Err() != nil {
			return r.b.translate(r.ctx, r.ctx.Err(), "reading "+r.h.String())
		}
		return fmt.Errorf("s3: reading %s: the transfer broke %d times (%s): %w", r.h, r.failures, shortNetErr(cause), storage.ErrUnavailable)
	}
	wait := min(time.Second, 200*time.Millisecond<<r.failures)
	select {
	case <-time.After(time.Duration(rand.Int64N(int64(wait)))):
	case <-r.ctx.Done():
		return r.b.translate(r.ctx, r.ctx.Err(), "reading "+r.h.String())
	}
	want := r.remaining
	body, n, err := r.b.get(r.ctx, r.h, r.offset, want)
	if err != nil {
		return err
	}
	r.body, r.remaining = body, n
	return nil
}

func (r *resumeReader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	err := r.body.Close()
	r.done()
	return err
}

// errReader returns err on every read.
type errReader struct{ err error }

func (e *errReader) Read([]byte) (int, error) { return 0, e.err }
