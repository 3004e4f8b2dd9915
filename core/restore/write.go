package restore

import (
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/savepoint-ci/savepoint/core/tree"
)

// write puts one chunk into its file; the writer of the last chunk sets the
// file's owner, mode and mtime on the open descriptor and counts the file.
// A single-chunk file is created here; a longer one was created (at its
// full size) by create. Files are opened with plain openat2/openat: no
// os.File (its fcntl calls and failing epoll registration would be a third
// of a small file's system calls).
func (r *restorer) write(u use, data []byte) error {
	var fd int
	var err error
	if u.f.single {
		fd, err = r.t.create(u.f.rel)
	} else {
		fd, err = r.t.open(u.f.rel, unix.O_WRONLY, 0)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %v", tree.PrintablePath(u.f.rel), err)
	}
	if err := pwriteAll(fd, data, u.off); err != nil {
		unix.Close(fd)
		return fmt.Errorf("writing %s: %v", tree.PrintablePath(u.f.rel), err)
	}
	r.bytes.Add(int64(len(data)))
	r.prog.Bytes.Add(int64(len(data)))
	if u.f.remaining.Add(-1) == 0 {
		if err := r.meta(fd, u.f.rel, u.f.node); err != nil {
			unix.Close(fd)
			return err
		}
		r.files.Add(1)
		r.prog.Files.Add(1)
	}
	if err := unix.Close(fd); err != nil {
		return fmt.Errorf("writing %s: %v", tree.PrintablePath(u.f.rel), err)
	}
	return nil
}

// create makes a file that is not a single chunk: empty, finished at
// once, or at its full size for its chunks to be written into.
func (r *restorer) create(ft *fileTarget) error {
	fd, err := r.t.create(ft.rel)
	if err != nil {
		return fmt.Errorf("creating %s: %v", tree.PrintablePath(ft.rel), err)
	}
	if len(ft.node.Content) == 0 {
		err = r.meta(fd, ft.rel, ft.node)
		r.files.Add(1)
		r.prog.Files.Add(1)
	} else if err = unix.Ftruncate(fd, int64(ft.node.Size)); err != nil {
		err = fmt.Errorf("creating %s: %v", tree.PrintablePath(ft.rel), err)
	}
	if cerr := unix.Close(fd); err == nil && cerr != nil {
		err = fmt.Errorf("creating %s: %v", tree.PrintablePath(ft.rel), cerr)
	}
	return err
}

func pwriteAll(fd int, data []byte, off int64) error {
	for len(data) > 0 {
		n, err := unix.Pwrite(fd, data, off)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		data, off = data[n:], off+int64(n)
	}
	return nil
}
