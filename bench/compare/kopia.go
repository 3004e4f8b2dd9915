//go:build unix

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// kopiaCompression is the compression policy set on every kopia repository:
// kopia compresses nothing until a policy says so. zstd-fastest is the zstd
// preset a user picks for backup speed, the same algorithm and level
// savepoint uses (restic's auto is zstd's default level).
const kopiaCompression = "zstd-fastest"

// kopiaRunner drives kopia (built by scripts/peers.sh) with its defaults
// except: the compression policy above, no progress bar, no log files, no
// update check, and no automatic maintenance (neither savepoint nor restic
// runs maintenance in a save). Its configuration file and cache live in
// the runner's directory. kopia has no "no cache" mode: a fresh runner
// starts without configuration or cache, so it connects to the repository
// first, and the connect is measured with the save or restore it precedes.
type kopiaRunner struct {
	bin, dir, repoDir, name string
	source                  string // absolute path of the saved tree: names its latest snapshot
	loc                     *location
	size                    growth
	sparse                  bool // restore --write-sparse-files
}

func newKopia(bin string, loc *location) runner { return &kopiaRunner{bin: bin, loc: loc} }

func (k *kopiaRunner) keepHoles() { k.sparse = true }

func (k *kopiaRunner) Version(ctx context.Context) string {
	v := strings.Fields(firstLine(ctx, k.bin, "--version"))
	if len(v) == 0 {
		return "?"
	}
	return v[0] + " (compression " + kopiaCompression + ")"
}

func (k *kopiaRunner) config() string { return filepath.Join(k.dir, "config", "repository.config") }
func (k *kopiaRunner) cache() string  { return filepath.Join(k.dir, "cache") }

// cmd is a kopia command with the flags every kopia command takes here.
func (k *kopiaRunner) cmd(ctx context.Context, args ...string) *exec.Cmd {
	global := []string{"--config-file=" + k.config(), "--disable-file-logging", "--no-progress", "--no-auto-maintenance"}
	cmd := exec.CommandContext(ctx, k.bin, append(args, global...)...)
	cmd.Env = append(os.Environ(), "KOPIA_PASSWORD=bench-password", "KOPIA_CHECK_FOR_UPDATES=false",
		"KOPIA_LOG_DIR="+filepath.Join(k.dir, "logs"))
	if k.loc.s3 != nil {
		cmd.Env = append(cmd.Env, k.loc.s3.env()...)
	}
	return cmd
}

// storage is the repository's storage arguments for create and connect.
func (k *kopiaRunner) storage() []string {
	if k.loc.s3 != nil {
		return []string{"s3", "--bucket=kopia", "--prefix=" + k.name + "/", "--endpoint=" + k.loc.s3.endpoint,
			"--disable-tls", "--region=us-east-1"}
	}
	return []string{"filesystem", "--path=" + k.repoDir}
}

// connect is `kopia repository VERB` (create or connect) with an empty
// cache, as on a fresh runner.
func (k *kopiaRunner) connect(ctx context.Context, verb string) *exec.Cmd {
	os.RemoveAll(filepath.Dir(k.config()))
	os.RemoveAll(k.cache())
	args := append([]string{"repository", verb}, k.storage()...)
	args = append(args, "--cache-directory="+k.cache(), "--override-hostname=bench", "--override-username=bench")
	return k.cmd(ctx, args...)
}

func (k *kopiaRunner) Init(ctx context.Context, dir, name string) error {
	k.dir, k.repoDir, k.name = dir, filepath.Join(dir, "repo"), name
	k.size.dir = k.repoDir
	if k.loc.s3 != nil {
		if err := k.loc.s3.makeBucket(ctx, "kopia"); err != nil {
			return err
		}
		k.size.dir = k.loc.s3.bucketDir("kopia", name)
	} else if err := os.MkdirAll(k.repoDir, 0o755); err != nil {
		return err
	}
	_, _, err := timed(ctx, k.connect(ctx, "create"),
		k.cmd(ctx, "policy", "set", "--global", "--compression="+kopiaCompression))
	k.size.reset(k.size.dir)
	return err
}

func (k *kopiaRunner) Save(ctx context.Context, workdir, name string, fresh bool) (measure, error) {
	save := k.cmd(ctx, "snapshot", "create", name)
	save.Dir = workdir
	cmds := []*exec.Cmd{save}
	if fresh {
		cmds = []*exec.Cmd{k.connect(ctx, "connect"), save}
	}
	k.source = filepath.Join(workdir, name)
	m, _, err := timed(ctx, cmds...)
	m.stored = k.size.added()
	return m, err
}

func (k *kopiaRunner) Restore(ctx context.Context, target string) (measure, error) {
	args := []string{"snapshot", "restore", k.source, target}
	if k.sparse {
		args = append(args, "--write-sparse-files")
	}
	m, _, err := timed(ctx, k.connect(ctx, "connect"), k.cmd(ctx, args...))
	return m, err
}
