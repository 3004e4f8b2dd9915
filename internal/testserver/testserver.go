// Package testserver runs `savepoint serve` as a real process on loopback
// for integration tests: it builds the savepoint binary once per test
// process, starts the server on a free port with the storage and flags a
// test asks for, creates tokens with the real `savepoint token create`,
// and stops (SIGTERM) or kills (SIGKILL) it.
package testserver

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// Main runs the tests of a package that uses this one and removes the
// binary it built: call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	Cleanup()
	os.Exit(code)
}

// Cleanup removes the binary Binary built: call it after m.Run from a
// TestMain that does more than Main.
func Cleanup() {
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
}

// Binary returns the path of a savepoint binary built from this checkout.
func Binary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary and starts a server; skipped under -short")
	}
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "savepoint-testbin-")
		if buildErr != nil {
			return
		}
		build := exec.Command("go", "build", "-o", filepath.Join(buildDir, "savepoint"), ".")
		_, here, _, _ := runtime.Caller(0)
		build.Dir = filepath.Join(filepath.Dir(here), "..", "..") // the module root, whatever the test's working directory
		out, err := build.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(buildDir, "savepoint")
}

// Options say how to start a server.
type Options struct {
	// Storage is --storage (default: a new temporary directory).
	Storage string
	// Args are more flags of `savepoint serve`.
	Args []string
	// Env is added to the server's environment (and to token commands'):
	// S3 keys, for instance.
	Env []string
	// Addr is --listen (default 127.0.0.1:0, a free port).
	Addr string
}

// Server is one running `savepoint serve` process.
type Server struct {
	t       testing.TB
	Bin     string
	Storage string
	// Addr is HOST:PORT it listens on; URL is http(s)://Addr.
	Addr, URL string
	o         Options
	cmd       *exec.Cmd
	log       *syncBuffer
	done      chan error
}

// Start starts a server and waits until it listens. It is stopped when
// the test ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	s := &Server{t: t, Bin: Binary(t), o: o}
	if o.Storage == "" {
		s.o.Storage = filepath.Join(t.TempDir(), "storage")
	}
	if o.Addr == "" {
		s.o.Addr = "127.0.0.1:0"
	}
	s.Storage = s.o.Storage
	s.start(s.o.Addr)
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) start(addr string) {
	s.t.Helper()
	args := append([]string{"serve", "--listen", addr, "--storage", s.o.Storage}, s.o.Args...)
	s.cmd = exec.Command(s.Bin, args...)
	s.cmd.Env = append(os.Environ(), s.o.Env...)
	s.log = &syncBuffer{}
	pr, pw := io.Pipe()
	s.cmd.Stderr = io.MultiWriter(s.log, pw)
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.done = make(chan error, 1)
	go func() { s.done <- s.cmd.Wait(); pw.Close() }()
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			var line struct{ Msg, Addr, Scheme string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
				listening <- line.Scheme + "://" + line.Addr
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case u := <-listening:
		s.URL = u
		s.Addr = u[strings.Index(u, "://")+3:]
	case err := <-s.done:
		s.done <- err
		s.t.Fatalf("savepoint serve exited at start-up: %v\n%s", err, s.log.String())
	case <-time.After(60 * time.Second):
		s.t.Fatalf("savepoint serve did not listen within 60s:\n%s", s.log.String())
	}
}

// Repo is the client URL of repository name.
func (s *Server) Repo(name string) string { return s.URL + "/" + name }

// Stop sends SIGTERM and waits for the process to end.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.ProcessState != nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		s.done <- err // for Wait
	case <-time.After(90 * time.Second):
		s.cmd.Process.Kill()
		s.done <- fmt.Errorf("killed: no exit within 90s of SIGTERM (%v)", <-s.done)
	}
}

// Kill ends the process with SIGKILL, as a crash would.
func (s *Server) Kill() {
	s.cmd.Process.Kill()
	err := <-s.done
	s.done <- err
}

// Restart starts the server again on the same address and storage.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.start(s.Addr)
}

// Wait waits up to d for the process to end (by itself, or after Stop)
// and returns its error.
func (s *Server) Wait(d time.Duration) error {
	select {
	case err := <-s.done:
		s.done <- err
		return err
	case <-time.After(d):
		return fmt.Errorf("still running after %s", d)
	}
}

// Signal sends sig to the server process.
func (s *Server) Signal(sig os.Signal) { s.cmd.Process.Signal(sig) }

// Logs is what the server wrote to stderr so far.
func (s *Server) Logs() string { return s.log.String() }

// Token creates a token with `savepoint token create` and returns it.
func (s *Server) Token(repo, role string, extra ...string) string {
	s.t.Helper()
	out, err := s.Command("token", append([]string{"create", "--storage", s.o.Storage, "--repo", repo, "--role", role}, extra...)...)
	if err != nil {
		s.t.Fatalf("token create: %v\n%s", err, out)
	}
	return strings.TrimSpace(out)
}

// Command runs the savepoint binary with the server's environment and
// returns its stdout (stderr too when it fails).
func (s *Server) Command(cmd string, args ...string) (string, error) {
	return s.CommandContext(context.Background(), cmd, args...)
}

// CommandContext is Command with a context.
func (s *Server) CommandContext(ctx context.Context, cmd string, args ...string) (string, error) {
	c := exec.CommandContext(ctx, s.Bin, append([]string{cmd}, args...)...)
	c.Env = append(os.Environ(), s.o.Env...)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	err := c.Run()
	if err != nil {
		return stdout.String() + stderr.String(), err
	}
	return stdout.String(), nil
}

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
