//go:build unix

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// savepointRunner drives bin/savepoint. savepoint keeps no local state, so
// a fresh runner runs the same command.
type savepointRunner struct {
	bin, repo string
	loc       *location
	size      growth
	profile   string // prefix of the next command's profiles, if any
	// viaServer: the repository is behind the location's savepoint serve
	// (the tool savepoint-server), with an append token as a CI job holds.
	viaServer bool
}

func newSavepoint(bin string, loc *location) runner { return &savepointRunner{bin: bin, loc: loc} }

func newSavepointServer(bin string, loc *location) runner {
	return &savepointRunner{bin: bin, loc: loc, viaServer: true}
}

func (s *savepointRunner) Version(ctx context.Context) string {
	return strings.TrimPrefix(firstLine(ctx, s.bin, "--version"), "savepoint version ")
}

// profileTo makes the next command write a CPU and a heap profile.
func (s *savepointRunner) profileTo(prefix string) { s.profile = prefix }

func (s *savepointRunner) env() []string {
	env := append(os.Environ(), "SAVEPOINT_PASSWORD=bench-password")
	if s.profile != "" {
		env = append(env, "SAVEPOINT_CPUPROFILE="+s.profile+".cpu.prof", "SAVEPOINT_MEMPROFILE="+s.profile+".heap.prof")
		s.profile = ""
	}
	switch {
	case s.viaServer:
		env = append(env, s.loc.server.env()...)
	case s.loc.s3 != nil:
		env = append(env, s.loc.s3.env()...)
		env = append(env, "SAVEPOINT_S3_ENDPOINT=http://"+s.loc.s3.endpoint)
	}
	return env
}

func (s *savepointRunner) cmd(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, s.bin, args...)
	cmd.Env = s.env()
	return cmd
}

func (s *savepointRunner) Init(ctx context.Context, dir, name string) error {
	s.repo, s.size.dir = dir, dir
	switch {
	case s.viaServer && s.loc.server == nil:
		return errUnsupported
	case s.viaServer:
		s.repo, s.size.dir = s.loc.server.url+"/"+name, filepath.Join(s.loc.server.storage, name)
	case s.loc.s3 != nil:
		s.repo, s.size.dir = "s3://savepoint/"+name, s.loc.s3.bucketDir("savepoint", name)
	}
	_, _, err := timed(ctx, s.cmd(ctx, "init", "--repo", s.repo))
	s.size.reset(s.size.dir)
	return err
}

func (s *savepointRunner) Save(ctx context.Context, workdir, name string, fresh bool) (measure, error) {
	cmd := s.cmd(ctx, "save", "--repo", s.repo, "--json", "--quiet", name)
	cmd.Dir = workdir
	m, out, err := timed(ctx, cmd)
	if err != nil {
		return m, err
	}
	if m.requests, err = requests(out, "stats"); err != nil {
		return m, err
	}
	m.stored = s.size.added()
	return m, nil
}

func (s *savepointRunner) Restore(ctx context.Context, target string) (measure, error) {
	m, out, err := timed(ctx, s.cmd(ctx, "restore", "--repo", s.repo, "--json", "--quiet", "--target", target, "latest"))
	if err != nil {
		return m, err
	}
	if m.requests, err = requests(out, "result"); err != nil {
		return m, err
	}
	return m, flatten(target)
}

// requests sums the request counts savepoint's --json output gives under
// key ("stats" for save, "result" for restore).
func requests(out []byte, key string) (int64, error) {
	var doc map[string]json.RawMessage
	var part struct {
		Requests map[string]int64 `json:"requests"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return -1, fmt.Errorf("savepoint --json output: %v", err)
	}
	if err := json.Unmarshal(doc[key], &part); err != nil {
		return -1, fmt.Errorf("savepoint --json output, %q: %v", key, err)
	}
	var n int64
	for _, v := range part.Requests {
		n += v
	}
	return n, nil
}
