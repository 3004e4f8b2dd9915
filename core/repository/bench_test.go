package repository

import (
	"encoding/binary"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage/mem"
	"github.com/savepoint-ci/savepoint/internal/benchdata"
	"github.com/savepoint-ci/savepoint/internal/cputime"
	"github.com/savepoint-ci/savepoint/internal/testkdf"
)

// benchBytes is what one benchmark operation processes, in 1 MiB blobs
// (the chunker's average chunk).
const benchBytes = 64 << 20

// benchBlobs returns 1 MiB blobs: text-like, incompressible, or both halves.
func benchBlobs(kind string) [][]byte {
	var data []byte
	switch kind {
	case "text":
		data = benchdata.Text(1, benchBytes)
	case "random":
		data = benchdata.Random(1, benchBytes)
	default:
		data = append(benchdata.Text(1, benchBytes/2), benchdata.Random(1, benchBytes/2)...)
	}
	var out [][]byte
	for i := 0; i < len(data); i += 1 << 20 {
		out = append(out, data[i:i+1<<20])
	}
	return out
}

func benchRepo(b *testing.B) *Repository {
	testkdf.Cheap()
	r, err := Init(b.Context(), mem.New(), InitOptions{Password: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// BenchmarkSaveBlob measures compress+encrypt+pack of new 1 MiB blobs into
// a mem backend, from one goroutine: the per-core rate of the save path
// after hashing. Blob IDs are counters, so hashing is not included.
func BenchmarkSaveBlob(b *testing.B) {
	for _, kind := range []string{"text", "random", "mixed"} {
		b.Run(kind, func(b *testing.B) {
			ctx := b.Context()
			r := benchRepo(b)
			blobs := benchBlobs(kind)
			var n uint64
			b.SetBytes(benchBytes)
			cpu := cputime.Now()
			for b.Loop() {
				for _, p := range blobs {
					var id ID
					n++
					binary.LittleEndian.PutUint64(id[:], n)
					if _, err := r.SaveBlob(ctx, DataBlob, id, p); err != nil {
						b.Fatal(err)
					}
				}
			}
			if _, err := r.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			cputime.Report(b, cpu, int64(b.N)*benchBytes)
			st := r.WriteStats()
			b.ReportMetric(float64(st.BytesStored)/float64(st.BytesRaw), "stored/raw")
		})
	}
}

// BenchmarkDecodeBlob measures open+decompress+hash check of stored 1 MiB
// blobs: the per-core rate of the restore path before writing.
func BenchmarkDecodeBlob(b *testing.B) {
	for _, kind := range []string{"text", "random", "mixed"} {
		b.Run(kind, func(b *testing.B) {
			ctx := b.Context()
			r := benchRepo(b)
			type stored struct {
				id   ID
				loc  Location
				data []byte
			}
			var blobs []stored
			for _, p := range benchBlobs(kind) {
				id := r.Hash(p)
				if _, err := r.SaveBlob(ctx, DataBlob, id, p); err != nil {
					b.Fatal(err)
				}
				blobs = append(blobs, stored{id: id})
			}
			if _, err := r.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			for i := range blobs {
				loc, _ := r.Index().Lookup(blobs[i].id)
				data, err := r.ReadPackRange(ctx, loc.Kind, loc.Pack, int64(loc.Offset), int64(loc.Length))
				if err != nil {
					b.Fatal(err)
				}
				blobs[i].loc, blobs[i].data = loc, data
			}
			dst := make([]byte, 0, 2<<20)
			cputime.Loop(b, benchBytes, func() {
				for _, s := range blobs {
					var err error
					if dst, err = r.DecodeBlob(s.id, s.loc, s.data, dst[:0]); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchmarkPackWriter measures assembling sealed blobs into 16 MiB packs:
// copying, the sealed header and the SHA-256 that names the pack.
func BenchmarkPackWriter(b *testing.B) {
	r := benchRepo(b)
	blobs := benchBlobs("random")
	p := &packBuilder{}
	cputime.Loop(b, benchBytes, func() {
		for i, blob := range blobs {
			p.add(PackEntry{Type: DataBlob, RawLength: uint32(len(blob))}, blob)
			if (i+1)%16 == 0 {
				p.finish(r.sealer)
				p.buf = p.buf[:0]
				p.entries = p.entries[:0]
			}
		}
	})
}
