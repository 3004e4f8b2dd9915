package transfer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/transfer"
)

// object serves ranges of data whose bodies break after cut bytes, the
// first breaks times; unknown hides the length of requests to the end.
type object struct {
	data    []byte
	cut     int
	breaks  int
	unknown bool
	fetches []string
}

func (o *object) fetch(_ context.Context, off, n int64) (io.ReadCloser, int64, error) {
	o.fetches = append(o.fetches, fmt.Sprintf("%d+%d", off, n))
	end := int64(len(o.data))
	if n > 0 {
		end = off + n
	}
	if off > int64(len(o.data)) || end > int64(len(o.data)) {
		return nil, 0, fmt.Errorf("range past the end: %w", storage.ErrInvalid)
	}
	body := o.data[off:end]
	size := int64(len(body))
	if n == 0 && o.unknown {
		size = -1
	}
	var rd io.Reader = bytes.NewReader(body)
	if o.breaks > 0 && len(body) > o.cut {
		o.breaks--
		rd = io.MultiReader(bytes.NewReader(body[:o.cut]), &failing{&transfer.StallError{Phase: "reading the answer"}})
	}
	return io.NopCloser(rd), size, nil
}

type failing struct{ err error }

func (f *failing) Read([]byte) (int, error) { return 0, f.err }

func read(t *testing.T, o *object, off, n int64, attempts int) ([]byte, error) {
	t.Helper()
	closed := 0
	rd, err := transfer.Resume(t.Context(), o.fetch, off, n, attempts, "test: reading x", func() { closed++ })
	if err != nil {
		return nil, err
	}
	got, err := io.ReadAll(rd)
	rd.Close()
	rd.Close()
	if closed != 1 {
		t.Fatalf("done ran %d times", closed)
	}
	return got, err
}

func TestResumeWhereItBroke(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 10_000)
	for _, tc := range []struct {
		off, n  int64
		unknown bool
		want    []string
	}{
		{0, 0, false, []string{"0+0", "1000+99000", "2000+98000"}},
		{500, 50_000, false, []string{"500+50000", "1500+49000", "2500+48000"}},
		{0, 0, true, []string{"0+0", "1000+0", "2000+0"}},
	} {
		o := &object{data: data, cut: 1000, breaks: 2, unknown: tc.unknown}
		got, err := read(t, o, tc.off, tc.n, 3)
		want := data[tc.off:]
		if tc.n > 0 {
			want = data[tc.off : tc.off+tc.n]
		}
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%+v: %d bytes, %v", tc, len(got), err)
		}
		if fmt.Sprint(o.fetches) != fmt.Sprint(tc.want) {
			t.Fatalf("%+v: requests %v, want %v", tc, o.fetches, tc.want)
		}
	}
}

func TestResumeGivesUp(t *testing.T) {
	o := &object{data: make([]byte, 10_000), cut: 100, breaks: 1000}
	_, err := read(t, o, 0, 0, 4)
	if !errors.Is(err, storage.ErrUnavailable) || !strings.Contains(err.Error(), "test: reading x: the transfer broke 4 times (no data for") {
		t.Fatalf("endless breaks: %v", err)
	}
	if len(o.fetches) != 4 {
		t.Fatalf("%d requests, want the budget of 4", len(o.fetches))
	}
	if _, err := read(t, o, 20_000, 0, 4); !errors.Is(err, storage.ErrInvalid) {
		t.Fatalf("a failing first request: %v", err)
	}
}

func TestShortNetError(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, "connection refused"},
		{&net.DNSError{Name: "nowhere.example", Err: "no such host"}, "unknown host nowhere.example"},
		{fmt.Errorf("read: %w", syscall.ECONNRESET), "connection reset"},
		{&transfer.StallError{Idle: 5e9, Phase: "sending the request"}, "no data for 5s while sending the request: the connection stalled"},
		{errors.New(`Get "https://x.example/v2/?X-Amz-Signature=secret": EOF`), "EOF"},
	} {
		if got := transfer.ShortNetError(tc.err); got != tc.want {
			t.Errorf("ShortNetError(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
