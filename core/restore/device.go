package restore

import (
	"context"
	"errors"
	"fmt"

	"github.com/savepoint-ci/savepoint/core/tree"
)

// Errors of a restore onto a device (Options.Device).
var (
	ErrNotOneFile     = errors.New("a device takes exactly one file of the snapshot")
	ErrDeviceTooSmall = errors.New("the device is smaller than the image")
	ErrNotDevice      = errors.New("is neither a block device nor a regular file")
)

// device is the block device or file a restore writes one image to.
type device struct {
	path  string
	fd    handle
	block bool // a block device: written in place; else a file, emptied first
}

// toDevice writes the snapshot's one planned file to Options.Device. A
// block device is opened exclusively (the kernel refuses while it is
// mounted), must hold the image, and keeps what lies beyond it; its holes
// are discarded or zeroed. A file is emptied and given the image's size,
// holes and all, then its metadata.
func (r *restorer) toDevice(ctx context.Context, items []item) error {
	var files []item
	for _, it := range items {
		if it.node.Type == tree.File {
			files = append(files, it)
		}
	}
	if len(files) != 1 {
		return fmt.Errorf("%w: the snapshot holds %d", ErrNotOneFile, len(files))
	}
	it := files[0]
	dev, err := openDevice(r.opts.Device, int64(it.node.Size))
	if err != nil {
		return err
	}
	defer closeHandle(dev.fd)
	ft := &fileTarget{rel: it.rel, node: it.node, sparse: r.opts.Sparse.sparse(it.node.Sparse || dev.block), dev: dev}
	fp := newFetchPlan()
	r.layout(ft, fp)
	r.rep.Phase("restore", &r.prog)
	if err := r.shape(dev.fd, ft); err != nil {
		return err
	}
	if len(it.node.Content) == 0 {
		return r.finish(dev.fd, ft)
	}
	return r.fetch(ctx, fp.packs)
}
