//go:build unix

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// resticRunner drives restic (built by scripts/peers.sh) with the defaults
// a user gets from `restic init`: repository format 2, compression auto.
// Its cache lives in the runner's directory and stays between the cold and
// unchanged saves; fresh runs and restores use --no-cache.
type resticRunner struct {
	bin, repo, cache string
	loc              *location
	size             growth
	sparse           bool // restore --sparse
}

func newRestic(bin string, loc *location) runner { return &resticRunner{bin: bin, loc: loc} }

func (r *resticRunner) keepHoles() { r.sparse = true }

func (r *resticRunner) Version(ctx context.Context) string {
	f := strings.Fields(firstLine(ctx, r.bin, "version"))
	if len(f) < 2 {
		return "?"
	}
	return f[1] + " (repository v2, compression auto)"
}

func (r *resticRunner) cmd(ctx context.Context, fresh bool, args ...string) *exec.Cmd {
	full := []string{"--repo", r.repo, "--quiet"}
	if fresh {
		full = append(full, "--no-cache")
	}
	cmd := exec.CommandContext(ctx, r.bin, append(full, args...)...)
	cmd.Env = append(os.Environ(), "RESTIC_PASSWORD=bench-password", "RESTIC_CACHE_DIR="+r.cache)
	if r.loc.s3 != nil {
		cmd.Env = append(cmd.Env, r.loc.s3.env()...)
	}
	return cmd
}

func (r *resticRunner) Init(ctx context.Context, dir, name string) error {
	r.repo, r.cache, r.size.dir = filepath.Join(dir, "repo"), filepath.Join(dir, "cache"), filepath.Join(dir, "repo")
	if r.loc.s3 != nil {
		r.repo, r.size.dir = "s3:http://"+r.loc.s3.endpoint+"/restic/"+name, r.loc.s3.bucketDir("restic", name)
	}
	_, _, err := timed(ctx, r.cmd(ctx, false, "init", "--repository-version", "2"))
	r.size.reset(r.size.dir)
	return err
}

func (r *resticRunner) Save(ctx context.Context, workdir, name string, fresh bool) (measure, error) {
	cmd := r.cmd(ctx, fresh, "backup", "--host", "bench", name)
	cmd.Dir = workdir
	m, _, err := timed(ctx, cmd)
	m.stored = r.size.added()
	return m, err
}

func (r *resticRunner) Restore(ctx context.Context, target string) (measure, error) {
	args := []string{"restore", "--target", target, "latest"}
	if r.sparse {
		args = append(args, "--sparse")
	}
	m, _, err := timed(ctx, r.cmd(ctx, true, args...))
	if err != nil {
		return m, err
	}
	return m, flatten(target)
}
