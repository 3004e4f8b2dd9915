package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// Fetch requests bytes [off, off+n) of one object (n == 0: to its end)
// and returns the body and how many bytes it carries (-1: unknown, the
// body's end is the object's). Its errors are
// returned to the reader's caller as they are, so they should be
// translated to storage sentinels already.
type Fetch func(ctx context.Context, off, n int64) (io.ReadCloser, int64, error)

// Resume reads [off, off+n) of an object (n == 0: to its end) through
// fetch. The first request is made before Resume returns, so a missing
// object is reported at once. When the body breaks (an error, a stall,
// fewer bytes than announced), the rest is asked for again, after a short
// random wait, until attempts requests in all have been made. what names
// the object in errors ("s3: reading data/ab12..."). done, when set, runs
// once when the reader is closed or fails to open.
func Resume(ctx context.Context, fetch Fetch, off, n int64, attempts int, what string, done func()) (io.ReadCloser, error) {
	if done == nil {
		done = func() {}
	}
	r := &resumeReader{ctx: ctx, fetch: fetch, offset: off, attempts: attempts, what: what, done: done}
	body, size, err := fetch(ctx, off, n)
	if err != nil {
		done()
		return nil, err
	}
	r.body, r.remaining = body, size
	return r, nil
}

type resumeReader struct {
	ctx       context.Context
	fetch     Fetch
	what      string
	done      func()
	body      io.ReadCloser
	offset    int64 // of the next byte to read
	remaining int64 // bytes still to read
	attempts  int
	failures  int
	closed    bool
}

func (r *resumeReader) Read(p []byte) (int, error) {
	if r.closed {
		return 0, errors.New(r.what + ": read after close")
	}
	for {
		if r.remaining == 0 {
			return 0, io.EOF
		}
		if r.remaining > 0 && int64(len(p)) > r.remaining {
			p = p[:r.remaining]
		}
		n, err := r.body.Read(p)
		r.offset += int64(n)
		if r.remaining > 0 {
			r.remaining -= int64(n)
		} else if err == io.EOF { // unknown length: the end is where it ends
			r.remaining = 0
		}
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

// resume replaces a broken body by a new request for the rest.
func (r *resumeReader) resume(cause error) error {
	r.body.Close()
	r.body = io.NopCloser(&errReader{cause})
	r.failures++
	if err := r.ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", r.what, context.Cause(r.ctx))
	}
	if r.failures >= r.attempts {
		return fmt.Errorf("%s: the transfer broke %d times (%s): %w", r.what, r.failures, ShortNetError(cause), storage.ErrUnavailable)
	}
	wait := min(time.Second, 50*time.Millisecond<<r.failures)
	select {
	case <-time.After(time.Duration(rand.Int64N(int64(wait)))):
	case <-r.ctx.Done():
		return fmt.Errorf("%s: %w", r.what, context.Cause(r.ctx))
	}
	body, n, err := r.fetch(r.ctx, r.offset, max(r.remaining, 0))
	if err != nil {
		return err
	}
	if r.remaining < 0 {
		r.remaining = n
	} else if n != r.remaining {
		body.Close()
		return fmt.Errorf("%s: resuming at byte %d got %d bytes, want %d: %w", r.what, r.offset, n, r.remaining, storage.ErrUnavailable)
	}
	r.body = body
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
