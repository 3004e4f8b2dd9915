package save

import (
	"io"
	"sync"

	"github.com/savepoint-ci/savepoint/core/chunker"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/tree"
)

// stream is a sequence of chunks being stored: a file's content or a
// command's output. Its IDs fill in as chunk workers finish.
type stream struct {
	mu      sync.Mutex
	content []repository.ID
	holes   []tree.Hole
	size    uint64
	chunks  sync.WaitGroup
	read    chan struct{} // closed when the reader has submitted every chunk
	readErr error
}

func newStream() *stream { return &stream{read: make(chan struct{})} }

// wait blocks until every chunk is stored and returns the content list.
func (st *stream) wait() ([]repository.ID, error) {
	<-st.read
	st.chunks.Wait()
	return st.content, st.readErr
}

// add appends a chunk to the content list.
func (st *stream) add(id repository.ID, n int) {
	st.mu.Lock()
	st.content = append(st.content, id)
	st.size += uint64(n)
	st.mu.Unlock()
}

type chunkJob struct {
	st  *stream
	id  repository.ID
	buf *[]byte
}

// feed chunks r into st (see chunks) and closes st.read.
func (s *saver) feed(st *stream, r io.Reader, c *chunker.Chunker) {
	defer close(st.read)
	st.readErr = s.chunks(st, r, c)
}

// addHole records a hole of n bytes after st's chunks so far.
func (s *saver) addHole(st *stream, n int64) {
	st.mu.Lock()
	st.holes = append(st.holes, tree.Hole{At: len(st.content), Len: uint64(n)})
	st.size += uint64(n)
	st.mu.Unlock()
	s.prog.Bytes.Add(n)
}

// chunks cuts r into chunks appended to st, handing each new chunk to the
// chunk workers. It hashes each chunk itself: a chunk the repository
// already has (the common case on a fresh runner) is recorded at once,
// without a copy or a hand-off. It returns when every chunk is submitted
// (not yet stored).
func (s *saver) chunks(st *stream, r io.Reader, c *chunker.Chunker) error {
	c.Reset(r)
	for {
		data, err := c.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if s.ctx.Err() != nil {
			return s.err()
		}
		n := len(data)
		id := s.repo.Hash(data)
		s.prog.Bytes.Add(int64(n))
		if s.repo.Known(id) {
			st.add(id, n)
			continue
		}
		if s.repo.GroupsBlob(repository.DataBlob, n) {
			// Copied into a compression group, compressed in the background:
			// no copy and hand-off to a chunk worker.
			st.add(id, n)
			if _, err := s.repo.SaveBlob(s.ctx, repository.DataBlob, id, data); err != nil {
				s.fail(err)
			}
			continue
		}
		s.budget.acquire(int64(n))
		buf := getBuf(n)
		*buf = append((*buf)[:0], data...)
		st.add(id, n)
		st.chunks.Add(1)
		s.chunkJobs <- chunkJob{st: st, id: id, buf: buf}
	}
}

func (s *saver) chunkWorker() {
	defer s.chunkWG.Done()
	for j := range s.chunkJobs {
		data := *j.buf
		if s.ctx.Err() == nil {
			if _, err := s.repo.SaveBlob(s.ctx, repository.DataBlob, j.id, data); err != nil {
				s.fail(err)
			}
		}
		s.budget.release(int64(len(data)))
		putBuf(j.buf)
		j.st.chunks.Done()
	}
}

// fileJob is one regular file or block device to read. sparse: the
// filesystem allocated fewer blocks than its size, so it holds holes.
type fileJob struct {
	path   string
	st     *stream
	sparse bool
}

func (s *saver) fileWorker() {
	defer s.fileWG.Done()
	cfg := s.repo.Config()
	c := chunker.New(nil, cfg.Chunker, s.repo.ChunkerTable())
	var rg regions
	for j := range s.fileJobs {
		j.st.readErr = s.readFile(j, &rg, c)
		close(j.st.read)
	}
}

// readFile stores one file's data regions as chunks and its holes as
// holes.
func (s *saver) readFile(j *fileJob, rg *regions, c *chunker.Chunker) error {
	if s.ctx.Err() != nil {
		return s.err()
	}
	f, err := openFile(j.path)
	if err != nil {
		return err
	}
	defer f.Close()
	defer s.prog.Files.Add(1)
	if err := rg.reset(f, j.sparse); err != nil {
		return err
	}
	defer func() { s.read.Add(rg.read) }()
	for {
		n, more, err := rg.hole()
		if err != nil {
			return err
		}
		if n > 0 {
			s.addHole(j.st, n)
		}
		if !more {
			return nil
		}
		if err := s.chunks(j.st, rg, c); err != nil {
			return err
		}
	}
}

// budget bounds the bytes of chunks in flight between readers and workers.
type budget struct {
	mu    sync.Mutex
	cond  *sync.Cond
	avail int64
	max   int64
}

func newBudget(max int64) *budget {
	b := &budget{avail: max, max: max}
	b.cond = sync.NewCond(&b.mu)
	return b
}

func (b *budget) acquire(n int64) {
	if n > b.max {
		n = b.max
	}
	b.mu.Lock()
	for b.avail < n {
		b.cond.Wait()
	}
	b.avail -= n
	b.mu.Unlock()
}

func (b *budget) release(n int64) {
	if n > b.max {
		n = b.max
	}
	b.mu.Lock()
	b.avail += n
	b.mu.Unlock()
	b.cond.Broadcast()
}

var bufPool sync.Pool

func getBuf(n int) *[]byte {
	if p, ok := bufPool.Get().(*[]byte); ok && cap(*p) >= n {
		return p
	}
	b := make([]byte, 0, n)
	return &b
}

func putBuf(p *[]byte) { bufPool.Put(p) }

// openFile opens files to save; tests replace it to simulate unreadable files
// (the tests run as root, where permissions never deny a read).
var openFile = openRaw
