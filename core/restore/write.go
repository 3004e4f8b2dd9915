package restore

import (
	"fmt"

	"github.com/savepoint-ci/savepoint/core/tree"
)

// write puts one chunk into its file; the writer of the last chunk
// finishes the file (finish). A single-chunk file is created here; a
// longer one was created (at its full size, its holes made) by create.
// On unix files are opened with plain openat2/openat: no os.File (its
// fcntl calls and failing epoll registration would be a third of a small
// file's system calls).
func (r *restorer) write(u use, data []byte) error {
	f := u.f
	var fd handle
	var err error
	switch {
	case f.dev != nil:
		fd = f.dev.fd
	case f.single:
		fd, err = r.t.create(f.rel)
	default:
		fd, err = r.t.openWrite(f.rel)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %v", tree.PrintablePath(f.rel), err)
	}
	if err := r.put(f, fd, data, u.off); err != nil {
		r.closeFile(f, fd)
		return fmt.Errorf("writing %s: %v", tree.PrintablePath(f.rel), err)
	}
	r.bytes.Add(int64(len(data)))
	r.prog.Bytes.Add(int64(len(data)))
	if f.remaining.Add(-1) == 0 {
		if err := r.finish(fd, f); err != nil {
			r.closeFile(f, fd)
			return err
		}
	}
	if err := r.closeFile(f, fd); err != nil {
		return fmt.Errorf("writing %s: %v", tree.PrintablePath(f.rel), err)
	}
	return nil
}

// put writes data at off; in a sparse file that was created empty, its
// zero blocks are left unwritten (they read as zeros).
func (r *restorer) put(f *fileTarget, fd handle, data []byte, off int64) error {
	if !f.sparse || f.dev != nil && f.dev.block {
		return pwriteAll(fd, data, off)
	}
	skipped, tail, err := pwriteSparse(fd, data, off)
	if err != nil {
		return err
	}
	r.holeBytes.Add(skipped)
	if tail && f.single { // create set no size: the skipped end sets it
		return truncate(fd, int64(f.node.Size))
	}
	return nil
}

func (r *restorer) closeFile(f *fileTarget, fd handle) error {
	if f.dev != nil {
		return nil // closed when the restore ends
	}
	return closeHandle(fd)
}

// finish sets a file's owner, mode and mtime on its descriptor once all
// of it is written, and counts it. A block device keeps its own metadata:
// its data is flushed instead.
func (r *restorer) finish(fd handle, f *fileTarget) error {
	var err error
	if f.dev != nil && f.dev.block {
		if err = syncHandle(fd); err != nil {
			err = fmt.Errorf("writing %s: %v", f.dev.path, err)
		}
	} else {
		err = r.meta(fd, f.rel, f.node)
	}
	r.files.Add(1)
	r.prog.Files.Add(1)
	return err
}

// create makes a file that is not a single chunk: at its full size, its
// holes made, ready for its chunks (finished at once if it has none).
func (r *restorer) create(ft *fileTarget) error {
	fd, err := r.t.create(ft.rel)
	if err != nil {
		return fmt.Errorf("creating %s: %v", tree.PrintablePath(ft.rel), err)
	}
	err = r.shape(fd, ft)
	if err == nil && len(ft.node.Content) == 0 {
		err = r.finish(fd, ft)
	}
	if cerr := closeHandle(fd); err == nil && cerr != nil {
		err = fmt.Errorf("creating %s: %v", tree.PrintablePath(ft.rel), cerr)
	}
	return err
}

// shape gives an empty file (or a device) its size and holes before its
// chunks are written: ftruncate makes the size, and the holes with it on
// filesystems that keep holes (on the others, FAT say, the filesystem
// writes the zeros itself). A file not restored sparse gets its holes
// allocated as zeros; a device gets them zeroed.
func (r *restorer) shape(fd handle, ft *fileTarget) error {
	block := ft.dev != nil && ft.dev.block
	if !block && ft.node.Size > 0 {
		if err := truncate(fd, int64(ft.node.Size)); err != nil {
			return fmt.Errorf("creating %s: %v", tree.PrintablePath(ft.rel), err)
		}
	}
	for _, h := range ft.holes {
		var err error
		switch {
		case block:
			err = zeroDevice(fd, h, ft.sparse)
		case !ft.sparse:
			err = allocate(fd, h)
		default:
			r.holeBytes.Add(h.len)
		}
		if err != nil {
			return fmt.Errorf("writing %s: %v", tree.PrintablePath(ft.rel), err)
		}
		r.prog.Bytes.Add(h.len)
	}
	return nil
}

func pwriteAll(fd handle, data []byte, off int64) error {
	for len(data) > 0 {
		n, err := pwrite(fd, data, off)
		if err != nil {
			return err
		}
		data, off = data[n:], off+int64(n)
	}
	return nil
}
