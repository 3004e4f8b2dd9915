package s3_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/s3"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/stallproxy"
)

// fault is what the proxy does to one request.
type fault int

const (
	pass      fault = iota
	err500          // 500 InternalError before reaching MinIO
	slowDown        // 503 SlowDown before reaching MinIO
	reset           // TCP reset before any answer
	slow            // answer after the client's idle timeout
	truncate        // forward, then cut the response body half-way (GETs)
	after500        // forward (the write happens), then answer 500
	cutUpload       // forward half of a PUT body, then break the upstream connection
	numRandom       // faults above are picked at random, those below only when forced
	corrupt         // forward a PUT with one byte of its body flipped
	stall           // forward half of a GET body, then stall for p.delay before the rest
	numFaults
)

var faultNames = [...]string{"pass", "500", "503 SlowDown", "reset", "slow", "truncate", "500 after write", "cut upload", "", "corrupt", "stall"}

// faultProxy is an HTTP proxy in front of MinIO that fails a share of the
// requests in the ways real networks and S3 services do.
type faultProxy struct {
	srv       *httptest.Server
	rate      atomic.Int64 // per mille of requests that fail
	mu        sync.Mutex
	rnd       *rand.Rand
	count     [numFaults]atomic.Int64
	delay     time.Duration
	force     fault // when forceLeft > 0, the next requests get this fault
	forceLeft int
}

func newFaultProxy(t *testing.T, target string, rate int) *faultProxy {
	p := &faultProxy{rnd: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7)), delay: 1500 * time.Millisecond}
	p.rate.Store(int64(rate))
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: target})
	rp.ErrorLog = log.New(io.Discard, "", 0)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := p.pick(r)
		p.count[f].Add(1)
		switch f {
		case err500:
			s3Error(w, 500, "InternalError")
		case slowDown:
			s3Error(w, 503, "SlowDown")
		case reset:
			io.Copy(io.Discard, r.Body)
			hj, _ := w.(http.Hijacker)
			conn, _, err := hj.Hijack()
			if err == nil {
				conn.(*net.TCPConn).SetLinger(0)
				conn.Close()
			}
		case slow:
			select {
			case <-time.After(p.delay):
			case <-r.Context().Done():
				return
			}
			rp.ServeHTTP(w, r)
		case truncate:
			tw := &truncWriter{ResponseWriter: w, limit: -1}
			rp.ServeHTTP(tw, r)
		case stall:
			rp.ServeHTTP(&truncWriter{ResponseWriter: w, limit: -1, stall: p.delay, ctx: r.Context()}, r)
		case cutUpload:
			r.Body = io.NopCloser(io.MultiReader(io.LimitReader(r.Body, r.ContentLength/2), &failReader{}))
			rp.ServeHTTP(w, r)
		case corrupt:
			body, _ := io.ReadAll(r.Body)
			if len(body) > 0 {
				body[len(body)/2] ^= 0x55
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			rp.ServeHTTP(w, r)
		case after500:
			rec := httptest.NewRecorder()
			rp.ServeHTTP(rec, r)
			s3Error(w, 500, "InternalError")
		default:
			rp.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *faultProxy) pick(r *http.Request) fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.forceLeft > 0 {
		p.forceLeft--
		return p.force
	}
	if p.rnd.IntN(1000) >= int(p.rate.Load()) {
		return pass
	}
	f := fault(1 + p.rnd.IntN(int(numRandom)-1))
	if f == truncate && (r.Method != http.MethodGet || r.URL.Query().Has("list-type")) {
		f = reset
	}
	if f == after500 && r.Method != http.MethodPut && r.Method != http.MethodDelete {
		f = err500
	}
	if f == cutUpload && (r.Method != http.MethodPut || r.ContentLength < 2) {
		f = reset
	}
	return f
}

// injected counts the requests that got a fault.
func (p *faultProxy) injected() int64 {
	var n int64
	for f := pass + 1; f < numFaults; f++ {
		n += p.count[f].Load()
	}
	return n
}

func (p *faultProxy) report(t *testing.T) {
	var parts []string
	for f := range numFaults {
		if f == numRandom {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s=%d", faultNames[f], p.count[f].Load()))
	}
	t.Logf("proxy: %s", strings.Join(parts, " "))
}

func s3Error(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>injected</Message></Error>`, code)
}

// truncWriter forwards the headers and half of the announced body, then
// aborts the connection.
type truncWriter struct {
	http.ResponseWriter
	limit   int64
	written int64
	// stall, when set, pauses for that long at the limit instead of
	// aborting, then sends the rest (unless the client went away).
	stall time.Duration
	ctx   context.Context
}

func (w *truncWriter) WriteHeader(code int) {
	if n := w.Header().Get("Content-Length"); n != "" {
		fmt.Sscan(n, &w.limit)
		w.limit /= 2
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *truncWriter) Write(b []byte) (int, error) {
	if w.limit >= 0 && w.written+int64(len(b)) > w.limit {
		n, _ := w.ResponseWriter.Write(b[:w.limit-w.written])
		w.written += int64(n)
		w.ResponseWriter.(http.Flusher).Flush()
		if w.stall == 0 {
			panic(http.ErrAbortHandler)
		}
		select {
		case <-time.After(w.stall):
		case <-w.ctx.Done():
			panic(http.ErrAbortHandler)
		}
		w.limit = -1
		m, err := w.ResponseWriter.Write(b[n:])
		w.written += int64(m)
		return n + m, err
	}
	n, err := w.ResponseWriter.Write(b)
	w.written += int64(n)
	return n, err
}

func (w *truncWriter) Flush() { w.ResponseWriter.(http.Flusher).Flush() }

// faultyBackend is a backend whose requests go through a fault proxy.
func faultyBackend(t *testing.T, rate, retries int) (*s3.Backend, *faultProxy) {
	srv := minio(t)
	o := srv.options()
	open(t, o) // create the bucket directly
	p := newFaultProxy(t, srv.endpoint, rate)
	o.Endpoint = p.srv.Listener.Addr().String()
	o.IdleTimeout = time.Second
	o.MaxRetries = retries
	o.TimeoutAttempts = retries // these tests study the retry loop
	b := newBackend(t, o)
	return b, p
}

// TestRetriesRecover: with 25% of requests failing in every way, every
// operation still succeeds and every object reads back byte-identical.
func TestRetriesRecover(t *testing.T) {
	b, p := faultyBackend(t, 250, 10)
	defer p.report(t)
	ctx := t.Context()
	type obj struct {
		h    storage.Handle
		data []byte
	}
	var objs []obj
	for i := 0; i < 40; i++ {
		data, name := storagetest.Blob(1000 + rand.IntN(300_000))
		objs = append(objs, obj{storage.Handle{Kind: storage.KindData, Name: name}, data})
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(objs))
	for _, o := range objs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := b.Save(ctx, o.h, o.data); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Save under 25%% faults: %v", err)
	}
	seen := 0
	if err := b.List(ctx, storage.KindData, func(storage.Info) error { seen++; return nil }); err != nil {
		t.Fatalf("List under faults: %v", err)
	}
	if seen != len(objs) {
		t.Fatalf("listed %d objects, want %d", seen, len(objs))
	}
	for _, o := range objs {
		off := int64(rand.IntN(len(o.data) / 2))
		n := int64(len(o.data)) - off
		rd, err := b.Load(ctx, o.h, off, n)
		if err != nil {
			t.Fatalf("Load under faults: %v", err)
		}
		got, err := io.ReadAll(rd)
		rd.Close()
		if err != nil {
			t.Fatalf("reading under faults: %v", err)
		}
		if !bytes.Equal(got, o.data[off:]) {
			t.Fatalf("%s: range read back wrong", o.h)
		}
		if fi, err := b.Stat(ctx, o.h); err != nil || fi.Size != int64(len(o.data)) {
			t.Fatalf("Stat under faults: %+v %v", fi, err)
		}
	}
	t.Logf("requests with retries: %+v", b.Requests())
}

// TestFaultsFailClearly: when every request fails, each operation returns
// ErrUnavailable with a one-line message naming the cause, and a failed
// Save leaves no object behind (a later reader sees nothing).
func TestFaultsFailClearly(t *testing.T) {
	b, p := faultyBackend(t, 1000, 3)
	defer p.report(t)
	ctx := t.Context()
	data, name := storagetest.Blob(5000)
	h := storage.Handle{Kind: storage.KindSnapshot, Name: name}
	checkLine(t, "Save", b.Save(ctx, h, data), storage.ErrUnavailable)
	// The object may exist (a "500 after write" stored it) and the GET's
	// headers may arrive before its body is cut: then reading fails.
	rd, err := b.Load(ctx, h, 0, 0)
	if err == nil {
		_, err = io.ReadAll(rd)
		rd.Close()
	}
	checkLine(t, "Load", err, storage.ErrUnavailable)
	_, err = b.Stat(ctx, h)
	checkLine(t, "Stat", err, storage.ErrUnavailable)
	checkLine(t, "List", b.List(ctx, storage.KindSnapshot, func(storage.Info) error { return nil }), storage.ErrUnavailable)
	checkLine(t, "Remove", b.Remove(ctx, h), storage.ErrUnavailable)

	p.rate.Store(0)
	err = b.List(ctx, storage.KindSnapshot, func(fi storage.Info) error {
		if fi.Size != int64(len(data)) {
			return fmt.Errorf("partial object %s of %d bytes", fi.Name, fi.Size)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Stat(ctx, h); err != nil && !errors.Is(err, storage.ErrNotFound) {
		t.Fatal(err)
	}
}

// TestTruncatedBodyResumes: a GET body cut half-way is resumed from where
// it broke with one more ranged GET, invisible to the caller; a body that
// keeps breaking fails with ErrUnavailable once the attempts are spent.
func TestTruncatedBodyResumes(t *testing.T) {
	b, p := faultyBackend(t, 0, 5)
	ctx := t.Context()
	data, name := storagetest.Blob(4 << 20)
	h := storage.Handle{Kind: storage.KindData, Name: name}
	if err := b.Save(ctx, h, data); err != nil {
		t.Fatal(err)
	}
	read := func(n int) ([]byte, int64, error) {
		p.mu.Lock()
		p.force, p.forceLeft = truncate, n
		p.mu.Unlock()
		before := b.Requests().Get
		rd, err := b.Load(ctx, h, 1000, 0)
		if err != nil {
			return nil, 0, err
		}
		defer rd.Close()
		got, err := io.ReadAll(rd)
		return got, b.Requests().Get - before, err
	}
	got, gets, err := read(1)
	if err != nil || !bytes.Equal(got, data[1000:]) {
		t.Fatalf("read through one truncation: %d bytes, %v", len(got), err)
	}
	if gets != 2 {
		t.Fatalf("one truncation cost %d GETs, want 2", gets)
	}
	_, gets, err = read(1000)
	checkLine(t, "read through endless truncation", err, storage.ErrUnavailable)
	if gets != 5 {
		t.Fatalf("endless truncation cost %d GETs, want the budget of 5", gets)
	}
}

// failReader fails like a connection that broke.
type failReader struct{}

func (failReader) Read([]byte) (int, error) { return 0, errors.New("upload cut by the fault proxy") }

// TestBrokenUploadsStoreNothing: an upload cut half-way or damaged on the
// way is never stored, and Save says so in one line. (A damaged body is
// refused by the checksum; it is not retried.)
func TestBrokenUploadsStoreNothing(t *testing.T) {
	b, p := faultyBackend(t, 0, 3)
	ctx := t.Context()
	for _, f := range []fault{cutUpload, corrupt} {
		data, name := storagetest.Blob(300_000)
		h := storage.Handle{Kind: storage.KindData, Name: name}
		p.mu.Lock()
		p.force, p.forceLeft = f, 1000
		p.mu.Unlock()
		err := b.Save(ctx, h, data)
		checkLine(t, faultNames[f], err, storage.ErrUnavailable)
		p.mu.Lock()
		p.forceLeft = 0
		p.mu.Unlock()
		if _, err := b.Stat(ctx, h); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("%s: the object exists after a failed upload (%v)", faultNames[f], err)
		}
	}
}

// TestStalledDownloadResumes: a download that stops sending (a stalled
// connection, no error) is abandoned after the idle timeout and the
// rest is fetched with one more ranged GET.
func TestStalledDownloadResumes(t *testing.T) {
	b, p := faultyBackend(t, 0, 10) // idle timeout 1s, stall 1.5s
	ctx := t.Context()
	data, name := storagetest.Blob(2 << 20)
	h := storage.Handle{Kind: storage.KindData, Name: name}
	if err := b.Save(ctx, h, data); err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.force, p.forceLeft = stall, 1
	p.mu.Unlock()
	before := b.Requests().Get
	rd, err := b.Load(ctx, h, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rd)
	rd.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read through a stall: %d bytes, %v", len(got), err)
	}
	if n := b.Requests().Get - before; n != 2 {
		t.Fatalf("a stalled download cost %d GETs, want 2", n)
	}
}

// TestStalledTransfers: a connection that stops moving bytes half-way
// through a PUT or a GET, without closing, costs the backend's idle
// timeout and a retry, and the operation succeeds within
// storagetest.StallBound. The backend runs with its default settings,
// through a TCP proxy in front of the real MinIO.
func TestStalledTransfers(t *testing.T) {
	srv := minio(t)
	o := srv.options()
	open(t, o) // the bucket
	p := stallproxy.Start(t, srv.endpoint)
	o.Endpoint = p.Addr()
	storagetest.SaveLoadThroughStalls(t, open(t, o), p)
}

// TestUnansweredAttemptsFail: an operation whose attempts go unanswered
// (a store without quorum holding the request) fails after
// TimeoutAttempts of them, not after the whole retry budget.
func TestUnansweredAttemptsFail(t *testing.T) {
	srv := minio(t)
	o := srv.options()
	open(t, o)
	p := newFaultProxy(t, srv.endpoint, 0)
	o.Endpoint = p.srv.Listener.Addr().String()
	o.IdleTimeout = 300 * time.Millisecond // the proxy answers after 1.5s
	b := newBackend(t, o)
	p.mu.Lock()
	p.force, p.forceLeft = slow, 1000
	p.mu.Unlock()
	_, name := storagetest.Blob(10)
	_, err := b.Stat(t.Context(), storage.Handle{Kind: storage.KindData, Name: name})
	checkLine(t, "Stat", err, storage.ErrUnavailable)
	if !strings.Contains(err.Error(), "did not answer within 300ms, 3 times") {
		t.Fatalf("Stat: %v", err)
	}
	if n := b.Requests().Head; n != 3 {
		t.Fatalf("%d HEADs, want the default budget of 3 unanswered attempts", n)
	}
}
