package testrepo

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/benchdata"
)

// Region is data at an offset of a sparse file.
type Region struct {
	Off  int64
	Data []byte
}

// WriteSparse creates dir/rel with size bytes: regions where given, holes
// everywhere else. It returns the file's path.
func WriteSparse(t testing.TB, dir, rel string, size int64, regions ...Region) string {
	t.Helper()
	p := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	for _, r := range regions {
		if _, err := f.WriteAt(r.Data, r.Off); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// Allocated is the space a file takes on disk (benchdata.Allocated). It
// skips the test where that is not read (Windows).
func Allocated(t testing.TB, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	n, ok := benchdata.Allocated(fi)
	if !ok {
		t.Skip("the allocated size of a file is not measured on this system")
	}
	return n
}

// LoopDevice attaches file to a free loop device (losetup, as root) and
// detaches it when the test ends. It returns the device's path, or "" and
// the reason when this machine cannot (no losetup, not root, no loop
// devices in this container).
func LoopDevice(t testing.TB, file string) (string, string) {
	t.Helper()
	out, err := exec.Command("losetup", "--find", "--show", file).CombinedOutput()
	if err != nil {
		return "", "losetup: " + strings.TrimSpace(string(out)) + " " + err.Error()
	}
	dev := strings.TrimSpace(string(out))
	t.Cleanup(func() {
		if out, err := exec.Command("losetup", "--detach", dev).CombinedOutput(); err != nil {
			t.Errorf("losetup --detach %s: %v %s", dev, err, out)
		}
	})
	return dev, ""
}
