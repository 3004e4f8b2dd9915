//go:build unix

package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/savepoint-ci/savepoint/internal/benchdata"
)

// measure is one timed step of a scenario (one or more commands).
type measure struct {
	wall     time.Duration
	cpu      time.Duration // user+system CPU time of the commands' process trees
	rssKB    int64         // peak RSS of the largest process in any of the commands
	stored   int64         // bytes added to storage; -1: not applicable
	requests int64         // backend requests; -1: not counted
	// restores of sparse datasets: the restored tree's and the source's
	// space on disk
	allocated, srcAllocated int64
}

// timed runs cmds one after the other, stopping at the first failure, and
// measures them as one step: wall and CPU time summed, the largest peak
// RSS. Each command runs under GNU time when it is installed: os/exec
// starts children with vfork, so a child's ru_maxrss would start from this
// (large, data-generating) process's RSS; time(1) is a small parent. For a
// pipeline under bash, RSS is that of the largest process in it. It
// returns the last command's standard output.
func timed(ctx context.Context, cmds ...*exec.Cmd) (measure, []byte, error) {
	total := measure{stored: -1, requests: -1}
	var out []byte
	for _, cmd := range cmds {
		m, stdout, err := timedOne(ctx, cmd)
		total.wall += m.wall
		total.cpu += m.cpu
		total.rssKB = max(total.rssKB, m.rssKB)
		if err != nil {
			return total, nil, err
		}
		out = stdout
	}
	return total, out, nil
}

func timedOne(ctx context.Context, cmd *exec.Cmd) (measure, []byte, error) {
	if err := ctx.Err(); err != nil {
		return measure{}, nil, err
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	var report string
	if timeBin != "" {
		f, err := os.CreateTemp("", "bench-time-")
		if err != nil {
			return measure{}, nil, err
		}
		report = f.Name()
		f.Close()
		defer os.Remove(report)
		cmd.Args = append([]string{timeBin, "-f", "%M %U %S", "-o", report}, cmd.Args...)
		cmd.Path = timeBin
	}
	// On interrupt, stop the whole process group: time(1) ignores SIGINT
	// and would leave the command running. cmd comes from
	// exec.CommandContext, which calls Cancel.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	start := time.Now()
	err := cmd.Run()
	m := measure{wall: time.Since(start), stored: -1, requests: -1}
	if report != "" {
		var kb int64
		var u, s float64
		if data, rerr := os.ReadFile(report); rerr == nil {
			lines := strings.Split(strings.TrimSpace(string(data)), "\n")
			fmt.Sscanf(lines[len(lines)-1], "%d %f %f", &kb, &u, &s)
		}
		m.rssKB, m.cpu = kb, time.Duration((u+s)*float64(time.Second))
	} else if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			m.rssKB = ru.Maxrss
			m.cpu = time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime))
		}
	}
	if err != nil {
		name := filepath.Base(cmd.Args[0])
		if timeBin != "" && len(cmd.Args) > 5 {
			name = filepath.Base(cmd.Args[5])
		}
		return m, nil, fmt.Errorf("%s: %v: %s", name, err, lastLines(stderr.String()))
	}
	return m, stdout.Bytes(), nil
}

// timeBin is GNU time, if installed (Debian package time).
var timeBin = func() string {
	if _, err := os.Stat("/usr/bin/time"); err == nil {
		return "/usr/bin/time"
	}
	return ""
}()

func lastLines(s string) string {
	if len(s) > 600 {
		s = "..." + s[len(s)-600:]
	}
	return s
}

// dirSize is the total size of the regular files under dir.
func dirSize(dir string) int64 {
	return sumFiles(dir, func(fi fs.FileInfo) int64 { return fi.Size() })
}

// allocated is the space the regular files under dir take on disk
// (st_blocks × 512): what holes save.
func allocated(dir string) int64 {
	return sumFiles(dir, func(fi fs.FileInfo) int64 {
		n, _ := benchdata.Allocated(fi)
		return n
	})
}

// sumFiles adds up f over the regular files under dir.
func sumFiles(dir string, f func(fs.FileInfo) int64) int64 {
	var n int64
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += f(fi)
			}
		}
		return nil
	})
	return n
}

// growth tracks how much a directory grows from one step to the next: the
// bytes a save added to a repository.
type growth struct {
	dir  string
	last int64
}

func (g *growth) reset(dir string) { g.dir, g.last = dir, dirSize(dir) }

func (g *growth) added() int64 {
	size := dirSize(g.dir)
	n := size - g.last
	g.last = size
	return n
}

// firstLine runs a command and returns the first line of its output, or
// "" when it fails.
func firstLine(ctx context.Context, name string, args ...string) string {
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return line
}
