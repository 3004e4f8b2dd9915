package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/doctest"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// The example of docs/images.md, line by line through the command line,
// with a loop device as /dev/vdb (when losetup works here; else a file
// saved with --read-special and restored with --device, the same code
// but for the device's checks). Between the device's save and its
// restore the test scribbles over the device, which the restore undoes.
// The qemu-img line is checked for its form, not run (no qemu here).
func TestImagesDoc(t *testing.T) {
	script := doctest.Under(t, "docs/images.md", "Disk and VM images", "sh")[0]
	convert := doctest.Under(t, "docs/images.md", "qcow2 and other formats", "")[0]
	if f := strings.Fields(convert); len(f) != 6 || strings.Join(f[:4], " ") != "qemu-img convert -O raw" || !strings.Contains(script, " "+f[5]+"\n") {
		t.Errorf("the qemu-img example %q does not convert to the raw file the example saves", convert)
	}
	r := newCLI(t)
	work := t.TempDir()
	t.Chdir(work)
	disk := testrepo.WriteSparse(t, work, "vm/disk.raw", 64<<20,
		testrepo.Region{Off: 1 << 20, Data: testrepo.Random(300 << 10)},
		testrepo.Region{Off: 50 << 20, Data: testrepo.Random(1 << 20)})
	backing := testrepo.WriteSparse(t, t.TempDir(), "vdb", 16<<20, testrepo.Region{Off: 4096, Data: testrepo.Random(2 << 20)})
	original, _ := os.ReadFile(backing)
	dev, why := testrepo.LoopDevice(t, backing)
	if dev == "" {
		t.Logf("no loop device (%s): /dev/vdb is a file", why)
	}
	ran := 0
	for _, line := range strings.Split(script, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] == "#" {
			continue
		}
		if f[0] != "savepoint" {
			t.Fatalf("unexpected line in the example: %q", line)
		}
		args := f[1:]
		for i, a := range args {
			if a != "/dev/vdb" {
				continue
			}
			switch {
			case dev != "":
				args[i] = dev
			case args[0] == "save":
				args[i-1], args[i] = "--read-special", backing
			default:
				args[i] = backing
			}
		}
		r.ok(args...)
		ran++
		if args[0] == "save" && strings.Contains(line, "/dev/vdb") {
			scribble(t, backing, dev)
		}
	}
	if ran != 5 {
		t.Fatalf("%d savepoint commands ran", ran)
	}
	got := filepath.Join(work, "restored/vm/disk.raw")
	if a, b := testrepo.Allocated(t, disk), testrepo.Allocated(t, got); b > a*12/10 {
		t.Errorf("the restored image takes %d bytes on disk, the original %d", b, a)
	}
	for path, want := range map[string][]byte{got: mustRead(t, disk), backing: original, filepath.Join(work, "vdb.raw"): original} {
		if b := mustRead(t, path); !bytes.Equal(b, want) {
			t.Errorf("%s: %d bytes, not the saved content", path, len(b))
		}
	}
}

// scribble overwrites the start of the device (or its backing file).
func scribble(t *testing.T, backing, dev string) {
	path := dev
	if path == "" {
		path = backing
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(bytes.Repeat([]byte("x"), 1<<20), 0); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Flags of images: one line and exit 2 for contradictions, the hint for
// a device given as a path.
func TestImageFlags(t *testing.T) {
	o := mustParse(t, "save", "--device", "/dev/vdb", "--read-special").Options.(SaveOptions)
	if len(o.Devices) != 1 || !o.ReadSpecial || len(o.Paths) != 0 {
		t.Errorf("save: %+v", o)
	}
	ro := mustParse(t, "restore", "latest", "--device", "/dev/vdb", "--sparse").Options.(RestoreOptions)
	if ro.Device != "/dev/vdb" || ro.Sparse != 1 {
		t.Errorf("restore: %+v", ro)
	}
	r := newCLI(t)
	r.fails(ExitUsage, "--sparse and --no-sparse", "restore", "latest", "--target", "x", "--sparse", "--no-sparse")
	r.fails(ExitUsage, "--target and --device", "restore", "latest", "--target", "x", "--device", "y")
	r.fails(ExitUsage, "--device PATH", "restore", "latest")
	dir := t.TempDir()
	dev, why := testrepo.LoopDevice(t, testrepo.WriteSparse(t, dir, "img", 1<<20))
	if dev == "" {
		t.Logf("no loop device (%s): the refusal of a device path is tested in core/save", why)
		return
	}
	r.fails(ExitError, "is a block device (save its content with --device PATH or --read-special)", "save", dev)
	r.fails(ExitError, "is not a block device", "save", "--device", dir)
}
