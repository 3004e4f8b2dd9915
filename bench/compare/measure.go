package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// measure is one timed command.
type measure struct {
	wall     time.Duration
	cpu      time.Duration // user+system CPU time of the command's tree
	rssKB    int64         // peak RSS of the largest process in the command's tree
	stored   int64         // bytes added to storage; -1: not applicable
	requests int64         // backend requests; -1: the tool cannot tell
}

// runner is one tool under test.
type runner interface {
	Name() string
	Init(repo string) error
	// Save saves dir/name with dir as the working directory; fresh means a
	// fresh runner (no local cache).
	Save(dir, name string, fresh bool) (measure, error)
	// Restore restores the latest save into target.
	Restore(target string) (measure, error)
}

// timed runs cmd and measures wall time, CPU time and peak RSS. The
// command runs under /usr/bin/time when it is installed: os/exec starts
// children with vfork, so a child's ru_maxrss would start from this
// (large, data-generating) process's RSS; time(1) is a small parent.
// For a pipeline under bash, RSS is that of the largest process in it.
func timed(cmd *exec.Cmd) (measure, []byte, error) {
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
		return m, nil, fmt.Errorf("%s: %v: %s", cmd.Args[0], err, lastLines(stderr.String()))
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
	var n int64
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// savepointRunner drives bin/savepoint on a local or MinIO repository.
type savepointRunner struct {
	bin, repo string
	sizeDir   string // where the repository's bytes are on disk (for MinIO: its bucket directory)
	size      int64
	s3        *minioServer
}

func (s *savepointRunner) Name() string { return "savepoint" }

func (s *savepointRunner) env() []string {
	env := append(os.Environ(), "SAVEPOINT_PASSWORD=bench-password")
	if s.s3 != nil {
		env = append(env, s.s3.env()...)
		env = append(env, "SAVEPOINT_S3_ENDPOINT=http://"+s.s3.endpoint)
	}
	return env
}

func (s *savepointRunner) Init(repo string) error {
	s.repo, s.sizeDir = repo, repo
	if s.s3 != nil {
		name := filepath.Base(repo)
		s.repo, s.sizeDir = "s3://savepoint/"+name, filepath.Join(s.s3.data, "savepoint", name)
	}
	cmd := exec.Command(s.bin, "init", "--repo", s.repo)
	cmd.Env = s.env()
	_, _, err := timed(cmd)
	s.size = dirSize(s.sizeDir)
	return err
}

func (s *savepointRunner) Save(dir, name string, fresh bool) (measure, error) {
	// savepoint keeps no local state: a fresh runner is the same command.
	cmd := exec.Command(s.bin, "save", "--repo", s.repo, "--json", "--quiet", name)
	cmd.Dir, cmd.Env = dir, s.env()
	m, out, err := timed(cmd)
	if err != nil {
		return m, err
	}
	var snap struct {
		Stats struct {
			Requests map[string]int64 `json:"requests"`
		} `json:"stats"`
	}
	if err := json.Unmarshal(out, &snap); err != nil {
		return m, fmt.Errorf("savepoint --json output: %v", err)
	}
	m.requests = sum(snap.Stats.Requests)
	size := dirSize(s.sizeDir)
	m.stored, s.size = size-s.size, size
	return m, nil
}

func (s *savepointRunner) Restore(target string) (measure, error) {
	cmd := exec.Command(s.bin, "restore", "--repo", s.repo, "--json", "--quiet", "--target", target, "latest")
	cmd.Env = s.env()
	m, out, err := timed(cmd)
	if err != nil {
		return m, err
	}
	var res struct {
		Result struct {
			Requests map[string]int64 `json:"requests"`
		} `json:"result"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return m, fmt.Errorf("savepoint --json output: %v", err)
	}
	m.requests = sum(res.Result.Requests)
	return m, flatten(target)
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// resticRunner drives restic (Debian package) on a local repository, with
// its cache in the work directory; fresh runs and restores use --no-cache.
type resticRunner struct {
	repo, cache string
	sizeDir     string
	size        int64
	s3          *minioServer
}

func (r *resticRunner) Name() string { return "restic" }

func (r *resticRunner) cmd(fresh bool, args ...string) *exec.Cmd {
	full := []string{"--repo", r.repo, "--quiet"}
	if fresh {
		full = append(full, "--no-cache")
	}
	cmd := exec.Command("restic", append(full, args...)...)
	cmd.Env = append(os.Environ(), "RESTIC_PASSWORD=bench-password", "RESTIC_CACHE_DIR="+r.cache)
	if r.s3 != nil {
		cmd.Env = append(cmd.Env, r.s3.env()...)
	}
	return cmd
}

func (r *resticRunner) Init(repo string) error {
	r.repo, r.cache, r.sizeDir = repo, repo+".cache", repo
	if r.s3 != nil {
		name := filepath.Base(repo)
		r.repo, r.sizeDir = "s3:http://"+r.s3.endpoint+"/restic/"+name, filepath.Join(r.s3.data, "restic", name)
	}
	os.RemoveAll(r.cache)
	_, _, err := timed(r.cmd(false, "init"))
	r.size = dirSize(r.sizeDir)
	return err
}

func (r *resticRunner) Save(dir, name string, fresh bool) (measure, error) {
	cmd := r.cmd(fresh, "backup", "--host", "bench", name)
	cmd.Dir = dir
	m, _, err := timed(cmd)
	size := dirSize(r.sizeDir)
	m.stored, r.size = size-r.size, size
	return m, err
}

func (r *resticRunner) Restore(target string) (measure, error) {
	m, _, err := timed(r.cmd(true, "restore", "--target", target, "latest"))
	if err != nil {
		return m, err
	}
	// restic restores the saved relative path below target: move it up so
	// the trees compare the same way as the others'.
	return m, flatten(target)
}

// flatten turns target/<only child> into target.
func flatten(target string) error {
	entries, err := os.ReadDir(target)
	if err != nil || len(entries) != 1 || !entries[0].IsDir() {
		return err
	}
	tmp := target + ".flat"
	if err := os.Rename(filepath.Join(target, entries[0].Name()), tmp); err != nil {
		return err
	}
	if err := os.Remove(target); err != nil {
		return err
	}
	return os.Rename(tmp, target)
}

// tarRunner is `tar -cf - DIR | zstd -T0`: no dedup, no incremental, the
// floor a cache tool is measured against.
type tarRunner struct {
	dir    string
	latest string
	n      int
}

func (t *tarRunner) Name() string { return "tar+zstd" }

func (t *tarRunner) Init(repo string) error {
	t.dir = repo
	return os.MkdirAll(repo, 0o755)
}

func (t *tarRunner) Save(dir, name string, fresh bool) (measure, error) {
	t.n++
	out := filepath.Join(t.dir, fmt.Sprintf("%d.tar.zst", t.n))
	cmd := exec.Command("bash", "-o", "pipefail", "-c", `tar -cf - "$1" | zstd -T0 -q -o "$2"`, "tar", name, out)
	cmd.Dir = dir
	m, _, err := timed(cmd)
	if err != nil {
		return m, err
	}
	fi, err := os.Stat(out)
	if err != nil {
		return m, err
	}
	m.stored, t.latest = fi.Size(), out
	return m, nil
}

func (t *tarRunner) Restore(target string) (measure, error) {
	if err := os.MkdirAll(target, 0o755); err != nil {
		return measure{}, err
	}
	cmd := exec.Command("bash", "-o", "pipefail", "-c", `zstd -d -T0 -q -c "$1" | tar -xf - -C "$2"`, "tar", t.latest, target)
	m, _, err := timed(cmd)
	if err != nil {
		return m, err
	}
	return m, flatten(target)
}
