package transfer_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage/transfer"
	"github.com/savepoint-ci/savepoint/internal/stallproxy"
)

const idle = 200 * time.Millisecond

// server answers GET with 64 KiB of which it sends half, then waits for
// hold (or the client to leave) before the rest; PUT bodies it reads at
// the pace of pace per 8 KiB, through a small receive buffer, as a slow
// link would take them.
func server(t *testing.T, hold, pace time.Duration) *httptest.Server {
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { smallReceiveBuffer(fd) })
	}}
	ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			buf := make([]byte, 8<<10)
			n := 0
			for {
				time.Sleep(pace)
				m, err := r.Body.Read(buf)
				n += m
				if err != nil {
					break
				}
			}
			io.WriteString(w, strings.Repeat("x", n%10))
			return
		}
		w.Header().Set("Content-Length", "65536")
		w.Write(bytes.Repeat([]byte("a"), 32<<10))
		w.(http.Flusher).Flush()
		select {
		case <-time.After(hold):
		case <-r.Context().Done():
			return
		}
		w.Write(bytes.Repeat([]byte("b"), 32<<10))
	}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func client() *http.Client {
	return &http.Client{Transport: transfer.NewIdleTransport(http.DefaultTransport.(*http.Transport).Clone(), idle)}
}

func TestStalledBodyFails(t *testing.T) {
	srv := server(t, time.Hour, 0)
	res, err := client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	var se *transfer.StallError
	var ne net.Error
	if !errors.Is(err, transfer.ErrStalled) || !errors.As(err, &se) || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("reading a stalled body: %v (%T), want a StallError that is a net.Error timeout", err, err)
	}
	if se.Phase != "reading the answer" || len(got) != 32<<10 {
		t.Fatalf("stalled while %q after %d bytes", se.Phase, len(got))
	}
}

// Time the caller spends between reads is not the connection's fault, and
// a pause shorter than the idle timeout is none.
func TestSlowReaderAndShortPauseDoNotCount(t *testing.T) {
	srv := server(t, idle/2, 0)
	res, err := client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	buf := make([]byte, 16<<10)
	n := 0
	for {
		m, err := res.Body.Read(buf)
		n += m
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("after %d bytes: %v", n, err)
		}
		time.Sleep(idle * 2) // a slow consumer, e.g. a restore writing files
	}
	if n != 64<<10 {
		t.Fatalf("read %d bytes", n)
	}
}

// An upload the link takes slowly, but steadily, is not a stall even when
// it lasts many idle timeouts, and even after the whole body sits in the
// socket buffer (on Linux the peer's acknowledgements count).
func TestSteadyUploadIsNoStall(t *testing.T) {
	srv := server(t, 0, idle/10)
	body := bytes.Repeat([]byte("u"), 1<<20)
	req, _ := http.NewRequest(http.MethodPut, srv.URL, bytes.NewReader(body))
	res, err := client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
}

// A server that takes the request and never answers fails the attempt
// while "waiting for the answer"; one that never accepts the body, while
// "sending the request".
func TestNoAnswerFails(t *testing.T) {
	addr := stallproxy.Silent(t) // reads nothing, answers nothing
	for _, tc := range []struct {
		body  int
		phase string
	}{{0, "waiting for the answer"}, {64 << 20, "sending the request"}} {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPut, "http://"+addr, bytes.NewReader(make([]byte, tc.body)))
		_, err := client().Do(req)
		var se *transfer.StallError
		if !errors.As(err, &se) || se.Phase != tc.phase {
			t.Fatalf("PUT of %d bytes to a server that never reads: %v, want a stall while %s", tc.body, err, tc.phase)
		}
	}
}

// The caller's own cancellation stays a cancellation.
func TestCallerCancelIsNoStall(t *testing.T) {
	srv := server(t, time.Hour, 0)
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	res, err := client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	time.AfterFunc(idle/4, cancel)
	_, err = io.ReadAll(res.Body)
	if !errors.Is(err, context.Canceled) || errors.Is(err, transfer.ErrStalled) {
		t.Fatalf("a read cancelled by its caller: %v", err)
	}
}

// A server that takes longer than the idle timeout to answer, telling the
// client meanwhile with informational answers (103 Early Hints) that it
// is working, is no stall; the same silence without them is one.
func TestInformationalAnswersAreProgress(t *testing.T) {
	for _, hints := range []bool{true, false} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			for range 12 { // three idle timeouts: storing what arrived
				if hints {
					w.WriteHeader(http.StatusEarlyHints)
				}
				select {
				case <-time.After(idle / 4):
				case <-r.Context().Done():
					return
				}
			}
			io.WriteString(w, "stored")
		}))
		req, _ := http.NewRequest(http.MethodPut, srv.URL, bytes.NewReader(make([]byte, 1<<10)))
		res, err := client().Do(req)
		if hints {
			if err != nil {
				t.Fatalf("an answer preceded by 103s: %v", err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || string(body) != "stored" {
				t.Fatalf("answer %d %q, want 200 stored", res.StatusCode, body)
			}
		} else if !errors.Is(err, transfer.ErrStalled) {
			t.Fatalf("the same wait without 103s: %v, want a stall", err)
		}
		srv.Close()
	}
}
