package copytest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/savepoint-ci/savepoint/core/location"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapcopy"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/internal/testcmd"
	"github.com/savepoint-ci/savepoint/internal/testenv"
	"github.com/savepoint-ci/savepoint/internal/testkdf"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

func TestMain(m *testing.M) { testserver.Main(m) }

var ctx = context.Background()

// site is one repository: its location and password.
type site struct{ url, password string }

// rig runs the savepoint binary with an environment of its own.
type rig struct {
	t   *testing.T
	bin string
	env map[string]string
}

func newRig(t *testing.T) *rig {
	return &rig{t: t, bin: testserver.Binary(t), env: map[string]string{"SAVEPOINT_QUIET": "1"}}
}

// withMinIO adds the MinIO server's endpoint and keys to the environment
// and returns a fresh bucket's s3:// URL maker.
func (r *rig) withMinIO() func(name string) string {
	m := testenv.RequireMinIO(r.t)
	for k, v := range map[string]string{
		"SAVEPOINT_S3_ENDPOINT": m.Endpoint, "AWS_ACCESS_KEY_ID": m.AccessKey, "AWS_SECRET_ACCESS_KEY": m.SecretKey,
		"SAVEPOINT_S3_INSECURE": "true", "SAVEPOINT_S3_PATH_STYLE": "true", "SAVEPOINT_S3_REGION": "us-east-1",
	} {
		r.env[k] = v
	}
	return func(name string) string { return "s3://copy-" + name + "-" + randomHex() + "/repo" }
}

func randomHex() string {
	var b [5]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// backend opens a site's storage in-process, with the rig's environment;
// closing the repository opened on it closes it.
func (r *rig) backend(s site) storage.Backend {
	r.t.Helper()
	be, err := location.Open(ctx, s.url, location.Options{Getenv: func(k string) string { return r.env[k] }})
	if err != nil {
		r.t.Fatal(err)
	}
	return be
}

// init creates a site's repository in-process: cheap key derivation,
// small chunks and packs (the binary opens it with the same password).
func (r *rig) init(s site) {
	r.t.Helper()
	testkdf.Cheap()
	repo, err := repository.Init(ctx, r.backend(s), repository.InitOptions{
		Password: s.password, Chunker: testrepo.SmallChunks, PackSize: 1 << 20,
	})
	if err != nil {
		r.t.Fatal(err)
	}
	repo.Close()
}

// open opens a site's repository in-process on be.
func (r *rig) open(s site, be storage.Backend) *repository.Repository {
	r.t.Helper()
	repo, err := repository.Open(ctx, be, repository.OpenOptions{Password: s.password})
	if err != nil {
		r.t.Fatal(err)
	}
	return repo
}

// command is savepoint args on site s (--repo), copying from src when set.
func (r *rig) command(s site, src *site, args ...string) *exec.Cmd {
	cmd := exec.Command(r.bin, args...)
	cmd.Env = append(os.Environ(), "SAVEPOINT_REPOSITORY="+s.url, "SAVEPOINT_PASSWORD="+s.password)
	if src != nil {
		cmd.Env = append(cmd.Env, "SAVEPOINT_FROM_REPOSITORY="+src.url, "SAVEPOINT_FROM_PASSWORD="+src.password)
	}
	for k, v := range r.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd
}

func (r *rig) run(s site, src *site, args ...string) (int, string, string) {
	r.t.Helper()
	return testcmd.Run(r.t, r.command(s, src, args...))
}

func (r *rig) ok(s site, args ...string) string {
	r.t.Helper()
	code, out, errOut := r.run(s, nil, args...)
	if code != 0 {
		r.t.Fatalf("savepoint %s on %s: exit %d: %s", strings.Join(args, " "), s.url, code, errOut)
	}
	return out
}

// copy runs savepoint copy from src to dst and returns its JSON result.
func (r *rig) copy(src, dst site, args ...string) snapcopy.Stats {
	r.t.Helper()
	code, out, errOut := r.run(dst, &src, append([]string{"--json", "copy"}, args...)...)
	if code != 0 {
		r.t.Fatalf("copy %s -> %s: exit %d: %s", src.url, dst.url, code, errOut)
	}
	var st snapcopy.Stats
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		r.t.Fatalf("%v: %s", err, out)
	}
	return st
}

// clean checks that verify --read-data finds nothing wrong.
func (r *rig) clean(s site) {
	r.t.Helper()
	if out := r.ok(s, "verify", "--read-data"); !strings.Contains(out, "no problems found") {
		r.t.Fatalf("verify on %s: %s", s.url, out)
	}
}

// restoresAs restores ref from s and compares it with the directory dir
// (saved as the relative path "src").
func (r *rig) restoresAs(s site, ref, dir string) {
	r.t.Helper()
	target := r.t.TempDir()
	r.ok(s, "restore", "--target", target, ref)
	if d := testrepo.Equal(r.t, dir, filepath.Join(target, "src")); d != "" {
		r.t.Fatalf("%s from %s: %s", ref, s.url, d)
	}
}

// save saves work/src as name into s from the directory work.
func (r *rig) save(s site, work, name string, more ...string) {
	r.t.Helper()
	cmd := r.command(s, nil, append([]string{"save", "--name", name, "src"}, more...)...)
	cmd.Dir = work
	if out, err := cmd.CombinedOutput(); err != nil {
		r.t.Fatalf("save into %s: %v: %s", s.url, err, out)
	}
}

// dataset writes a source tree of about mb MiB under work/src: random
// files (incompressible) and text (compressible), in a few directories.
func dataset(t *testing.T, work string, mb int) string {
	src := filepath.Join(work, "src")
	for i := 0; i < mb*4; i++ {
		testrepo.WriteFile(t, src, fmt.Sprintf("d%d/r%03d.bin", i%5, i), testrepo.Random(200<<10+i*512))
	}
	var text bytes.Buffer
	for i := 0; text.Len() < 1<<20; i++ {
		fmt.Fprintf(&text, "line %d: the quick brown fox %x jumps over the lazy dog\n", i, i*7919)
	}
	testrepo.WriteFile(t, src, "text/log.txt", text.Bytes())
	testrepo.WriteFile(t, src, "text/small.txt", []byte("small"))
	return src
}

// counting counts the requests and bytes that go through a backend.
type counting struct {
	storage.Backend
	puts, gets, others atomic.Int64
	putBytes, getBytes atomic.Int64
}

func (c *counting) Save(ctx context.Context, h storage.Handle, data []byte) error {
	c.puts.Add(1)
	c.putBytes.Add(int64(len(data)))
	return c.Backend.Save(ctx, h, data)
}

func (c *counting) Load(ctx context.Context, h storage.Handle, off, n int64) (io.ReadCloser, error) {
	c.gets.Add(1)
	rd, err := c.Backend.Load(ctx, h, off, n)
	if err != nil {
		return nil, err
	}
	return countReader{rd, &c.getBytes}, nil
}

func (c *counting) Stat(ctx context.Context, h storage.Handle) (storage.Info, error) {
	c.others.Add(1)
	return c.Backend.Stat(ctx, h)
}

func (c *counting) List(ctx context.Context, k storage.Kind, fn func(storage.Info) error) error {
	c.others.Add(1)
	return c.Backend.List(ctx, k, fn)
}

func (c *counting) Remove(ctx context.Context, h storage.Handle) error {
	c.others.Add(1)
	return c.Backend.Remove(ctx, h)
}

func (c *counting) requests() int64 { return c.puts.Load() + c.gets.Load() + c.others.Load() }
func (c *counting) bytes() int64    { return c.putBytes.Load() + c.getBytes.Load() }

type countReader struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c countReader) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}
