package save

import (
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/savepoint-ci/savepoint/core/progress"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/tree"
)

// dirJob is a directory whose tree is being built; done closes when id or
// err is set. skipped means the directory could not be read at all.
type dirJob struct {
	done    chan struct{}
	id      repository.ID
	err     error
	skipped bool
}

// child is a directory entry waiting for its content (st) or subtree (dir).
type child struct {
	node   tree.Node
	path   string
	st     *stream
	dir    *dirJob
	device bool // a block device read as a file
}

// readSpecial reports whether the block device at full is to be read.
func (s *saver) readSpecial(full string) bool { return s.opts.ReadSpecial || s.devices[full] }

// run walks every root and returns the root tree's ID.
func (s *saver) run(roots []root) (repository.ID, error) {
	s.devices = map[string]bool{}
	for _, r := range roots {
		if r.device {
			s.devices[r.disk] = true
		}
	}
	s.rep.Phase("save", &s.prog)
	if progress.TotalsWanted(s.rep) {
		go s.count(roots)
	}
	s.startWorkers()
	var parentRoot *tree.Tree
	if p := s.opts.Parent; p != nil && p.Tree != nil {
		parentRoot, _ = tree.Load(s.ctx, s.repo, *p.Tree) // no usable parent: read everything
	}
	var job *dirJob
	if len(roots) == 1 && roots[0].stored == "." {
		job = s.saveDir(roots[0].disk, ".", parentRoot)
	} else if len(roots) > 0 {
		job = s.saveVirtual(".", roots, parentRoot)
	}
	s.stopWorkers()
	if job == nil {
		return repository.ID{}, s.err()
	}
	<-job.done
	if err := s.err(); err != nil {
		return repository.ID{}, err
	}
	if job.err != nil {
		return repository.ID{}, job.err
	}
	return job.id, nil
}

// saveVirtual builds a directory that exists only to hold roots below it:
// for `save node_modules .cache/pip` the root holds node_modules and .cache,
// and .cache holds pip.
func (s *saver) saveVirtual(prefix string, roots []root, parent *tree.Tree) *dirJob {
	groups := map[string][]root{}
	for _, r := range roots {
		rel := r.stored
		if prefix != "." {
			rel = strings.TrimPrefix(rel, prefix+"/")
		}
		first, _, _ := strings.Cut(rel, "/")
		groups[first] = append(groups[first], r)
	}
	var children []child
	for _, name := range slices.Sorted(maps.Keys(groups)) {
		stored := path.Join(prefix, name)
		g := groups[name]
		var pn *tree.Node
		if parent != nil {
			pn, _ = parent.Find(name)
		}
		if len(g) == 1 && g[0].stored == stored {
			if c, ok := s.entry(g[0].disk, stored, g[0].info, pn); ok {
				children = append(children, c)
			}
			continue
		}
		// An intermediate directory: describe it by the real one if it exists.
		node := tree.Node{Name: name, Type: tree.Dir, Mode: 0o755}
		if fi, err := os.Lstat(filepath.FromSlash(stored)); err == nil && fi.IsDir() && !filepath.IsAbs(g[0].disk) {
			node = nodeFromInfo(name, fi)
		}
		s.dirs.Add(1)
		children = append(children, child{node: node, path: stored, dir: s.saveVirtual(stored, g, s.parentSubtree(pn))})
	}
	return s.finalize(".", children)
}

func (s *saver) parentSubtree(pn *tree.Node) *tree.Tree {
	if pn == nil || pn.Type != tree.Dir || pn.Subtree == nil {
		return nil
	}
	t, err := tree.Load(s.ctx, s.repo, *pn.Subtree)
	if err != nil {
		return nil
	}
	return t
}

// saveDir walks one real directory; its tree completes asynchronously.
func (s *saver) saveDir(disk, stored string, parent *tree.Tree) *dirJob {
	entries, err := os.ReadDir(disk)
	if err != nil {
		s.warn(disk, err)
		return &dirJob{done: closed(), skipped: true}
	}
	var children []child
	for _, e := range entries {
		if s.ctx.Err() != nil {
			break
		}
		name := e.Name()
		full := filepath.Join(disk, name)
		rel := path.Join(stored, name)
		if s.excl.Excluded(rel, name, e.IsDir()) {
			continue
		}
		fi, err := os.Lstat(full)
		if err != nil {
			s.warn(full, err)
			continue
		}
		var pn *tree.Node
		if parent != nil {
			pn, _ = parent.Find(name)
		}
		if c, ok := s.entry(full, rel, fi, pn); ok {
			children = append(children, c)
		}
	}
	return s.finalize(disk, children)
}

// entry turns one directory entry into a child, starting its reading.
func (s *saver) entry(full, rel string, fi os.FileInfo, pn *tree.Node) (child, bool) {
	node := nodeFromInfo(path.Base(rel), fi)
	c := child{node: node, path: full}
	switch {
	case isBlockDevice(fi) && s.readSpecial(full):
		// A block device's content, as one file. Its node's times say
		// nothing of its content: it is read every time.
		s.files.Add(1)
		c.node.Type, c.node.Inode, c.node.CTime, c.device = tree.File, 0, 0, true
		c.st = newStream()
		s.fileJobs <- &fileJob{path: full, st: c.st}
	case fi.Mode().IsRegular():
		s.files.Add(1)
		s.scanned.Add(fi.Size())
		if s.unchangedFile(&c.node, pn) {
			s.unchanged.Add(1)
			s.prog.Files.Add(1)
			s.prog.Bytes.Add(fi.Size())
			return c, true
		}
		c.node.Sparse = sparseOnDisk(fi)
		c.st = newStream()
		s.fileJobs <- &fileJob{path: full, st: c.st, sparse: c.node.Sparse}
	case fi.IsDir():
		s.dirs.Add(1)
		c.dir = s.saveDir(full, rel, s.parentSubtree(pn))
		if c.dir.skipped {
			return c, false
		}
	case fi.Mode()&os.ModeSymlink != 0:
		target, err := os.Readlink(full)
		if err != nil {
			s.warn(full, err)
			return c, false
		}
		c.node.Target = target
	default:
		s.rep.Warn(full + ": special file (" + fi.Mode().Type().String() + ") skipped")
		return c, false
	}
	return c, true
}

// unchangedFile fills n's content from the parent's node when the file
// looks untouched and all its chunks are still indexed.
func (s *saver) unchangedFile(n *tree.Node, pn *tree.Node) bool {
	if pn == nil || pn.Type != tree.File || pn.Size != n.Size || pn.ModTime != n.ModTime ||
		pn.Inode != n.Inode || pn.CTime != n.CTime || (n.Size > 0 && len(pn.Content) == 0 && len(pn.Holes) == 0) {
		return false
	}
	for _, id := range pn.Content {
		if !s.repo.Known(id) {
			return false
		}
	}
	n.Content, n.Holes, n.Sparse = pn.Content, pn.Holes, pn.Sparse
	return true
}

// finalize waits, in the background, for every child and stores the tree.
func (s *saver) finalize(disk string, children []child) *dirJob {
	job := &dirJob{done: make(chan struct{})}
	go func() {
		defer close(job.done)
		t := &tree.Tree{Nodes: make([]tree.Node, 0, len(children))}
		for _, c := range children {
			switch {
			case c.st != nil:
				content, err := c.st.wait()
				if err := s.err(); err != nil {
					job.err = err
					return
				}
				if err != nil {
					s.warn(c.path, err)
					continue
				}
				c.node.Content, c.node.Holes = content, c.st.holes
				c.node.Size = c.st.size
				if c.device {
					// A disk restored into a file is an image: sparse.
					c.node.Sparse = len(c.st.holes) > 0
					s.scanned.Add(int64(c.st.size))
				}
			case c.dir != nil:
				<-c.dir.done
				if c.dir.err != nil {
					job.err = c.dir.err
					return
				}
				if c.dir.skipped {
					continue
				}
				id := c.dir.id
				c.node.Subtree = &id
			}
			t.Nodes = append(t.Nodes, c.node)
		}
		if err := s.err(); err != nil {
			job.err = err
			return
		}
		id, err := tree.Save(s.ctx, s.repo, t)
		if err != nil {
			s.fail(err)
			job.err = err
			return
		}
		job.id = id
	}()
	return job
}

// count totals the files and bytes to save, for the progress ETA. It runs
// beside the walk and only reads metadata.
func (s *saver) count(roots []root) {
	for _, r := range roots {
		if r.device {
			if f, err := openRaw(r.disk); err == nil {
				n, _ := f.size()
				f.Close()
				s.prog.TotalFiles.Add(1)
				s.prog.TotalBytes.Add(n)
			}
			continue
		}
		filepath.WalkDir(r.disk, func(p string, d os.DirEntry, err error) error {
			if err != nil || s.ctx.Err() != nil {
				return nil
			}
			if d.Type().IsRegular() {
				if fi, err := d.Info(); err == nil {
					s.prog.TotalFiles.Add(1)
					s.prog.TotalBytes.Add(fi.Size())
				}
			}
			return nil
		})
	}
}

func closed() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}
