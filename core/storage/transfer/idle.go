package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"sync"
	"time"
)

// DefaultIdle is the idle timeout of the s3 and oci backends: long enough
// for a busy server's first byte, short enough that a stalled request costs
// seconds.
const DefaultIdle = 5 * time.Second

// commitRate is how fast a server is assumed to verify and store what it
// received before it answers: after the whole request is sent the answer
// may take Idle plus one second per commitRate bytes of body.
const commitRate = 32 << 20

// ErrStalled is matched (errors.Is) by the error of an attempt that moved
// no bytes for the idle timeout.
var ErrStalled = errors.New("the connection stalled")

// StallError is the error of an attempt that moved no bytes for Idle while
// in Phase. It is a net.Error whose Timeout is true, so retry loops
// (minio-go, go-retryablehttp, the oci backend) take it for the temporary
// network failure it is.
type StallError struct {
	Idle  time.Duration
	Phase string
}

func (e *StallError) Error() string {
	return fmt.Sprintf("no data for %v while %s: the connection stalled", e.Idle, e.Phase)
}

// Timeout reports true: a stall is a timeout.
func (e *StallError) Timeout() bool { return true }

// Temporary reports true: another attempt may well succeed.
func (e *StallError) Temporary() bool { return true }

// Is makes errors.Is(err, ErrStalled) true.
func (e *StallError) Is(target error) bool { return target == ErrStalled }

// Phases of an attempt, as StallError names them; an attempt only moves
// forward through them.
const (
	phaseSend   = "sending the request"
	phaseWait   = "waiting for the answer"
	phaseRead   = "reading the answer"
	phaseClosed = "closed"
)

func rank(phase string) int {
	switch phase {
	case phaseSend:
		return 0
	case phaseWait:
		return 1
	case phaseRead:
		return 2
	}
	return 3
}

// IdleTransport is an http.RoundTripper that fails an attempt when no byte
// moves for Idle: while connecting and sending, while waiting for the
// answer, and while the caller is blocked reading the answer's body. Time
// the caller spends between reads does not count. Upload progress is the
// request body being read as the connection takes it and, on Linux, the
// peer acknowledging bytes (TCP_INFO), so a slow link that drains the
// socket buffer is not taken for a stall. After the whole request is sent
// the server has Idle, plus a second per 32 MiB it received, to answer,
// and Idle again after each informational answer (1xx, such as the 103
// Early Hints a savepoint server sends while it stores an upload). A
// stalled attempt's connection is closed and the attempt fails with a
// *StallError.
type IdleTransport struct {
	next http.RoundTripper
	idle time.Duration
}

// NewIdleTransport wraps next (nil: http.DefaultTransport) with an idle
// timeout (0: DefaultIdle).
func NewIdleTransport(next http.RoundTripper, idle time.Duration) *IdleTransport {
	if next == nil {
		next = http.DefaultTransport
	}
	if idle <= 0 {
		idle = DefaultIdle
	}
	return &IdleTransport{next: next, idle: idle}
}

// Idle returns the idle timeout in effect.
func (t *IdleTransport) Idle() time.Duration { return t.idle }

// RoundTrip implements http.RoundTripper.
func (t *IdleTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	w := &watchdog{idle: t.idle, cancel: cancel, phase: phaseSend}
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn:        func(ci httptrace.GotConnInfo) { w.setConn(ci.Conn) },
		WroteRequest:   func(httptrace.WroteRequestInfo) { w.sent() },
		Got1xxResponse: func(int, textproto.MIMEHeader) error { w.informed(); return nil },
	})
	out := req.WithContext(ctx)
	if req.Body != nil && req.Body != http.NoBody {
		out.Body = &sendBody{rc: req.Body, w: w}
		if get := req.GetBody; get != nil {
			out.GetBody = func() (io.ReadCloser, error) {
				rc, err := get()
				if err != nil {
					return nil, err
				}
				return &sendBody{rc: rc, w: w}, nil
			}
		}
	}
	w.arm(phaseSend, t.idle)
	res, err := t.next.RoundTrip(out)
	w.pause(phaseRead)
	if err != nil {
		err = w.explain(err)
		cancel(nil)
		return nil, err
	}
	res.Body = &recvBody{rc: res.Body, w: w}
	return res, nil
}

// watchdog cancels an attempt when no byte moved before its deadline.
type watchdog struct {
	idle   time.Duration
	cancel context.CancelCauseFunc

	mu       sync.Mutex
	timer    *time.Timer
	phase    string
	allow    time.Duration // the current phase's allowance
	waiting  bool          // the timer counts
	deadline time.Time
	body     int64    // request body bytes handed to the connection
	conn     net.Conn // the attempt's connection, once it has one
	acked    uint64   // bytes the peer acknowledged, at the last look
	stall    *StallError
}

// arm gives the attempt d from now to move a byte in phase, unless it is
// past that phase already.
func (w *watchdog) arm(phase string, d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stall != nil || rank(phase) < rank(w.phase) {
		return
	}
	w.phase, w.allow, w.waiting, w.deadline = phase, d, true, time.Now().Add(d)
	d = w.nextLook(d)
	if w.timer == nil {
		w.timer = time.AfterFunc(d, w.fire)
		return
	}
	w.timer.Reset(d)
}

// nextLook is when the timer should next fire, at most left from now:
// while sending or waiting it also fires every eighth of the idle timeout
// to look at the peer's acknowledgements.
func (w *watchdog) nextLook(left time.Duration) time.Duration {
	if w.phase != phaseRead && w.conn != nil {
		return min(left, w.idle/8)
	}
	return left
}

// pause stops the clock and moves to phase.
func (w *watchdog) pause(phase string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if rank(phase) >= rank(w.phase) {
		w.phase = phase
	}
	w.waiting = false
	if w.timer != nil {
		w.timer.Stop()
	}
}

func (w *watchdog) setConn(c net.Conn) {
	acked, _ := ackedBytes(c)
	w.mu.Lock()
	w.conn, w.acked = c, acked
	w.mu.Unlock()
}

// sent: the whole request is written; the server may take time to verify
// and store what it received before it answers.
func (w *watchdog) sent() {
	w.mu.Lock()
	body := w.body
	w.mu.Unlock()
	w.arm(phaseWait, w.idle+time.Duration(body)*time.Second/commitRate)
}

// informed: an informational answer (1xx) arrived while waiting for the
// final one. A server that is busy answering (storing what it received)
// sends them to show that it is alive: each gives it Idle again.
func (w *watchdog) informed() {
	w.mu.Lock()
	waiting := w.phase == phaseWait
	w.mu.Unlock()
	if waiting {
		w.arm(phaseWait, w.idle)
	}
}

// fire runs when the deadline may have passed.
func (w *watchdog) fire() {
	w.mu.Lock()
	if w.stall != nil || !w.waiting {
		w.mu.Unlock()
		return
	}
	if w.phase != phaseRead && w.conn != nil {
		if acked, ok := ackedBytes(w.conn); ok && acked > w.acked {
			// The peer is still taking bytes: an upload drains slowly.
			w.acked = acked
			w.deadline = time.Now().Add(w.allow)
		}
	}
	if left := time.Until(w.deadline); left > 0 { // moved meanwhile
		w.timer.Reset(w.nextLook(left))
		w.mu.Unlock()
		return
	}
	w.stall = &StallError{Idle: w.idle, Phase: w.phase}
	err := w.stall
	w.mu.Unlock()
	w.cancel(err)
}

// explain replaces the error of a stalled attempt by its StallError.
func (w *watchdog) explain(err error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stall != nil && err != nil && err != io.EOF {
		return w.stall
	}
	return err
}

// sendBody is a request body read by the transport as the connection
// takes it: every read that returns bytes is progress.
type sendBody struct {
	rc io.ReadCloser
	w  *watchdog
}

func (b *sendBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.w.mu.Lock()
		b.w.body += int64(n)
		b.w.mu.Unlock()
		b.w.arm(phaseSend, b.w.idle)
	}
	return n, err
}

func (b *sendBody) Close() error { return b.rc.Close() }

// recvBody is a response body; the timer runs only while Read waits.
type recvBody struct {
	rc io.ReadCloser
	w  *watchdog
}

func (b *recvBody) Read(p []byte) (int, error) {
	b.w.arm(phaseRead, b.w.idle)
	n, err := b.rc.Read(p)
	b.w.pause(phaseRead)
	return n, b.w.explain(err)
}

func (b *recvBody) Close() error {
	b.w.pause(phaseClosed)
	err := b.rc.Close()
	b.w.cancel(nil)
	return err
}
