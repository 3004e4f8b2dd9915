package main

import (
	"bufio"
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
// its storage: the server scenario runs savepoint through it.
type benchServer struct {
	url     string // http://127.0.0.1:PORT
	storage string // the directory; repository NAME is storage/NAME
	token   string // an append token for every repository, as a CI job holds
}

// startServer starts the server binary bin on a free loopback port and
// returns it with the function that stops it (SIGTERM).
func startServer(bin, work string) (*benchServer, func(), error) {
	s := &benchServer{storage: filepath.Join(work, "server-storage")}
	tok, err := exec.Command(bin, "token", "create", "--storage", s.storage, "--repo", "*", "--role", "append").Output()
	if err != nil {
		return nil, nil, fmt.Errorf("token create: %v", err)
	}
	s.token = strings.TrimSpace(string(tok))
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--storage", s.storage)
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
	go func() {
		sc := bufio.NewScanner(logs)
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
				addr <- line.Addr
				break
			}
		}
		io.Copy(io.Discard, logs) // one line per request: not kept
	}()
	select {
	case a := <-addr:
		s.url = "http://" + a
		return s, stop, nil
	case <-time.After(30 * time.Second):
		stop()
		return nil, nil, fmt.Errorf("savepoint serve did not start listening within 30s")
	}
}

func (s *benchServer) env() []string { return []string{"SAVEPOINT_TOKEN=" + s.token} }

// serverTools are the tools of a -server run: the same savepoint on the
// local backend and through the server.
var serverTools = []string{"savepoint", "savepoint-server"}

// serverRows renders a -server run: savepoint through the server beside
// savepoint on the same storage directly, and their ratio.
func (r *Run) serverRows() [][]string {
	out := [][]string{{"dataset", "scenario", "wall local", "wall server", "server/local",
		"CPU s client local / server", "RSS MiB client local / server", "requests local / server"}}
	for _, d := range r.Datasets {
		for _, sc := range scenarios {
			l, s := r.find(d.Name, sc, "savepoint"), r.find(d.Name, sc, "savepoint-server")
			if l == nil || s == nil {
				continue
			}
			out = append(out, []string{d.Name, sc, fmt.Sprintf("%.2fs", l.WallSec), fmt.Sprintf("%.2fs", s.WallSec), ratio(s, l, wall),
				fmt.Sprintf("%.2f / %.2f", l.CPUSec, s.CPUSec), fmt.Sprintf("%.0f / %.0f", l.PeakRSSMiB, s.PeakRSSMiB),
				fmt.Sprintf("%d / %d", l.Requests, s.Requests)})
		}
	}
	return out
}

// serverTargets checks issue 13's target: through the server, every save
// and restore takes at most 1.2x the wall time of the local backend.
func (r *Run) serverTargets() (held int, misses []string) {
	for _, d := range r.Datasets {
		for _, sc := range scenarios {
			l, s := r.find(d.Name, sc, "savepoint"), r.find(d.Name, sc, "savepoint-server")
			if l == nil || s == nil {
				continue
			}
			if s.WallSec <= 1.2*l.WallSec {
				held++
			} else {
				misses = append(misses, fmt.Sprintf("%s %s: wall %.2fx the local backend (target 1.2x)", d.Name, sc, s.WallSec/l.WallSec))
			}
		}
	}
	return held, misses
}
