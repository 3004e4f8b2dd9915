// Package stallproxy is a TCP proxy for tests that makes one connection
// stop moving bytes half-way through a transfer, without closing it: the
// stalled connection that hangs CI cache steps (actions/cache issues 720,
// 1170, 1234). Put it in front of a real server (MinIO, a registry) and
// point the client at Addr. It can also hold every connection for a while
// and let them go on (Hold, Release): a server that is slow, not dead.
package stallproxy

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// Direction is the way bytes flow through the proxy.
type Direction int

const (
	// Up is client to server: request bodies (a PUT).
	Up Direction = iota
	// Down is server to client: response bodies (a GET).
	Down
)

// Proxy forwards every connection to one target.
type Proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	armed bool
	dir   Direction
	after int64 // bytes to let through, counted from when Stall was called
	base  map[*pump]int64

	hold    chan struct{} // non-nil while holding; closed by Release
	holding chan struct{} // closed once a byte waits in the hold

	stalls atomic.Int64
	conns  atomic.Int64
	wg     sync.WaitGroup
	liveMu sync.Mutex
	live   map[*conn]bool // nil once the proxy stopped
}

// Start listens on a free loopback port and forwards to target
// (host:port); the proxy stops when the test ends.
func Start(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, target: target, base: map[*pump]int64{}, live: map[*conn]bool{}}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(p.close)
	return p
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Stall arms one stall: the first connection that moves more than after
// bytes in direction dir from now on stops forwarding, both ways, for as
// long as the client keeps it open.
func (p *Proxy) Stall(dir Direction, after int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.armed, p.dir, p.after = true, dir, after
	clear(p.base) // pumps record their count at their next move
}

// Hold stops every connection from forwarding, both ways, from now until
// Release; nothing is lost, the bytes go on after it. The returned channel
// is closed once some bytes wait in the hold.
func (p *Proxy) Hold() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.hold == nil {
		p.hold, p.holding = make(chan struct{}), make(chan struct{})
	}
	return p.holding
}

// Release lets the held bytes and every later one through.
func (p *Proxy) Release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.hold != nil {
		close(p.hold)
		p.hold = nil
	}
}

// held returns the hold bytes must wait for (nil: none) and reports
// that bytes wait in it.
func (p *Proxy) held() chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.hold == nil {
		return nil
	}
	select {
	case <-p.holding:
	default:
		close(p.holding)
	}
	return p.hold
}

// Stalls counts the connections stalled so far.
func (p *Proxy) Stalls() int { return int(p.stalls.Load()) }

// Conns counts the connections accepted so far.
func (p *Proxy) Conns() int { return int(p.conns.Load()) }

func (p *Proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.conns.Add(1)
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.handle(c)
		}()
	}
}

// close stops accepting and ends every connection: a stalled upload that
// the client gave up on is only noticed when the server gives up too.
func (p *Proxy) close() {
	p.ln.Close()
	p.liveMu.Lock()
	for c := range p.live {
		c.close()
	}
	p.live = nil
	p.liveMu.Unlock()
	p.wg.Wait()
}

// conn is one proxied connection: closing it ends both pumps and releases
// a stalled one.
type conn struct {
	client, server net.Conn
	once           sync.Once
	done           chan struct{}
}

func (c *conn) close() {
	c.once.Do(func() {
		close(c.done)
		c.client.Close()
		c.server.Close()
	})
}

func (p *Proxy) handle(client net.Conn) {
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	c := &conn{client: client, server: server, done: make(chan struct{})}
	p.liveMu.Lock()
	if p.live == nil {
		p.liveMu.Unlock()
		c.close()
		return
	}
	p.live[c] = true
	p.liveMu.Unlock()
	defer func() {
		p.liveMu.Lock()
		delete(p.live, c)
		p.liveMu.Unlock()
	}()
	var wg sync.WaitGroup
	for _, pm := range []*pump{{p: p, c: c, dir: Up, from: client, to: server}, {p: p, c: c, dir: Down, from: server, to: client}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pm.run()
			c.close()
		}()
	}
	wg.Wait()
}

// pump copies one direction of a connection.
type pump struct {
	p        *Proxy
	c        *conn
	dir      Direction
	from, to net.Conn
	moved    int64
}

func (pm *pump) run() {
	buf := make([]byte, 32<<10)
	for {
		n, err := pm.from.Read(buf)
		if n > 0 {
			if hold := pm.p.held(); hold != nil {
				select {
				case <-hold:
				case <-pm.c.done:
					return
				}
			}
			let := pm.allow(int64(n))
			if let > 0 {
				if _, werr := pm.to.Write(buf[:let]); werr != nil {
					return
				}
			}
			if let < int64(n) {
				<-pm.c.done // stalled: hold the connection open, move nothing
				return
			}
		}
		if err != nil {
			if err != io.EOF {
				return
			}
			// Half-close: pass the EOF on, keep the other direction.
			if tc, ok := pm.to.(*net.TCPConn); ok {
				tc.CloseWrite()
			}
			return
		}
	}
}

// allow returns how many of the next n bytes may pass; fewer than n means
// this connection stalls after them.
func (pm *pump) allow(n int64) int64 {
	p := pm.p
	p.mu.Lock()
	defer p.mu.Unlock()
	pm.moved += n
	if !p.armed || p.dir != pm.dir {
		return n
	}
	base, ok := p.base[pm]
	if !ok {
		base = pm.moved - n
		p.base[pm] = base
	}
	over := pm.moved - base - p.after
	if over <= 0 {
		return n
	}
	p.armed = false
	p.stalls.Add(1)
	return n - over
}
