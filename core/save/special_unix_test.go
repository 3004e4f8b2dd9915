//go:build unix

package save

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/savepoint-ci/savepoint/core/tree"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

func TestSpecialFilesSkippedUnreadablePartial(t *testing.T) {
	repo, _ := testrepo.New(t)
	dir := t.TempDir()
	testrepo.WriteFile(t, dir, "d/ok", []byte("fine"))
	testrepo.WriteFile(t, dir, "d/locked", []byte("secret"))
	if err := syscall.Mkfifo(filepath.Join(dir, "d/fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	openFile = func(name string) (*rawFile, error) {
		if strings.HasSuffix(name, "locked") {
			return nil, &os.PathError{Op: "open", Path: name, Err: syscall.EACCES}
		}
		return openRaw(name)
	}
	defer func() { openFile = openRaw }()
	t.Chdir(dir)
	s, err := Run(ctx, repo, Options{Paths: []string{"d"}})
	if !errors.Is(err, ErrPartial) || s == nil {
		t.Fatalf("want a committed partial snapshot, got %v", err)
	}
	if !s.Partial || s.Stats.Errors != 1 {
		t.Fatalf("partial flag %v, errors %d", s.Partial, s.Stats.Errors)
	}
	if got := strings.Join(paths(t, repo, s), " "); got != "d d/ok" {
		t.Fatalf("saved %q: the fifo and the unreadable file must be left out", got)
	}
}

// A block device is saved as one file entry, read whole (devices report
// no holes), its zero blocks recorded as holes, read again on every save.
// With a loop device when losetup works here, else a regular file read
// through the same code path.
func TestBlockDevice(t *testing.T) {
	repo, _ := testrepo.New(t)
	dir := t.TempDir()
	backing := testrepo.WriteSparse(t, dir, "backing.img", 8<<20,
		testrepo.Region{Off: 0, Data: testrepo.Random(300 << 10)},
		testrepo.Region{Off: 5 << 20, Data: testrepo.Random(100 << 10)})
	dev, why := testrepo.LoopDevice(t, backing)
	if dev == "" {
		t.Logf("no loop device (%s): reading a regular file as a device", why)
		dev = backing
		old := isBlockDevice
		isBlockDevice = func(fi os.FileInfo) bool { return fi.Name() == "backing.img" || old(fi) }
		t.Cleanup(func() { isBlockDevice = old })
	}
	t.Chdir(dir)
	if _, err := Run(ctx, repo, Options{Paths: []string{dev}}); !errors.Is(err, ErrBlockDevice) {
		t.Fatalf("a device among the paths without ReadSpecial: %v", err)
	}
	if _, err := Run(ctx, repo, Options{Devices: []string{dir}}); !errors.Is(err, ErrNotBlockDevice) {
		t.Fatalf("a directory as a device: %v", err)
	}
	for _, opts := range []Options{{Devices: []string{dev}}, {Paths: []string{dev}, ReadSpecial: true}} {
		s, err := Run(ctx, repo, opts)
		if err != nil {
			t.Fatal(err)
		}
		n := fileNode(t, repo, s, StoredPath(dev))
		if n.Type != tree.File || n.Size != 8<<20 || !n.Sparse || n.HoleBytes() < 7<<20 || s.Stats.BytesRead != 8<<20 {
			t.Fatalf("device entry: %s %d bytes, sparse %v, %d hole bytes, read %d", n.Type, n.Size, n.Sparse, n.HoleBytes(), s.Stats.BytesRead)
		}
	}
	// In a directory, a device node is skipped unless asked for.
	if dev == backing {
		return
	}
	var st syscall.Stat_t
	if err := syscall.Stat(dev, &st); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "devs"), 0o755)
	if err := syscall.Mknod(filepath.Join(dir, "devs/disk"), syscall.S_IFBLK|0o600, int(st.Rdev)); err != nil {
		t.Fatal(err)
	}
	for _, special := range []bool{false, true} {
		s, err := Run(ctx, repo, Options{Paths: []string{"devs"}, ReadSpecial: special})
		if err != nil {
			t.Fatal(err)
		}
		if got := paths(t, repo, s); len(got) != map[bool]int{false: 1, true: 2}[special] {
			t.Fatalf("read special %v: saved %q", special, got)
		}
	}
}
