package save

import (
	"context"
	"io"
	"runtime"

	"github.com/savepoint-ci/savepoint/core/chunker"
	"github.com/savepoint-ci/savepoint/core/repository"
)

// StreamResult is a stored stream: its chunks in order and its size.
type StreamResult struct {
	Content []repository.ID
	Size    uint64
	Stats   repository.WriteStats
}

// SaveStream chunks r straight into the repository (no temporary file),
// using every core for hashing, compression and sealing. The blobs are
// durable after repo.Flush, which save.Run calls before committing; a
// caller that commits on its own must Flush first.
func SaveStream(ctx context.Context, repo *repository.Repository, r io.Reader) (StreamResult, error) {
	if err := repo.LoadIndex(ctx); err != nil {
		return StreamResult{}, err
	}
	s := newSaver(ctx, repo, Options{}, &Excluder{})
	for i := 0; i < runtime.GOMAXPROCS(0); i++ {
		s.chunkWG.Add(1)
		go s.chunkWorker()
	}
	st := newStream()
	cfg := repo.Config()
	s.feed(st, r, chunker.New(nil, cfg.Chunker, repo.ChunkerTable()))
	content, err := st.wait()
	close(s.chunkJobs)
	s.chunkWG.Wait()
	if ferr := s.err(); ferr != nil {
		return StreamResult{}, ferr
	}
	if err != nil {
		return StreamResult{}, err
	}
	return StreamResult{Content: content, Size: st.size}, nil
}
