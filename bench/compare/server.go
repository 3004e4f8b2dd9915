//go:build unix

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// benchServer is `savepoint serve` on loopback with a local directory as
// its storage: the server location runs savepoint-server through it.
type benchServer struct {
	url     string // http://127.0.0.1:PORT
	storage string // the directory; repository NAME is storage/NAME
	token   string // an append token for every repository, as a CI job holds
}

// startServer starts the server binary bin on a free loopback port, its
// storage in work, and returns it with the function that stops it
// (SIGTERM).
func startServer(ctx context.Context, bin, work string) (*benchServer, func(), error) {
	s := &benchServer{storage: filepath.Join(work, "server-storage")}
	tok, err := exec.CommandContext(ctx, bin, "token", "create", "--storage", s.storage, "--repo", "*", "--role", "append").Output()
	if err != nil {
		return nil, nil, fmt.Errorf("savepoint token create: %v", err)
	}
	s.token = strings.TrimSpace(string(tok))
	cmd := exec.CommandContext(ctx, bin, "serve", "--listen", "127.0.0.1:0", "--storage", s.storage)
	logs, err := cmd.StderrPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	stop := func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}
	addr := make(chan string, 1)
	var last string // the last log line, for when it fails to start
	go func() {
		sc := bufio.NewScanner(logs)
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
				addr <- line.Addr
				io.Copy(io.Discard, logs) // one line per request: not kept
				return
			}
			last = sc.Text()
		}
		close(addr)
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			stop()
			return nil, nil, fmt.Errorf("savepoint serve exited before listening: %s", last)
		}
		s.url = "http://" + a
		return s, stop, nil
	case <-ctx.Done():
		stop()
		return nil, nil, ctx.Err()
	case <-time.After(30 * time.Second):
		stop()
		return nil, nil, fmt.Errorf("savepoint serve did not start listening within 30s")
	}
}

func (s *benchServer) env() []string { return []string{"SAVEPOINT_TOKEN=" + s.token} }
