package s3_test

import (
	"io"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
)

// BenchmarkSave16MiB writes pack-sized objects (one PUT each).
func BenchmarkSave16MiB(b *testing.B) {
	be := open(b, minio(b).options())
	data, _ := storagetest.Blob(16 << 20)
	b.SetBytes(int64(len(data)))
	n := 0
	for ; b.Loop(); n++ {
		h := storage.Handle{Kind: storage.KindSession, Name: "bench"}
		if err := be.Save(b.Context(), h, data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(be.Requests().Put-1)/float64(n), "PUT/op") // -1: the bucket
}

// BenchmarkLoadRange1MiB reads 1 MiB ranges of a 16 MiB pack (one GET each).
func BenchmarkLoadRange1MiB(b *testing.B) {
	be := open(b, minio(b).options())
	data, name := storagetest.Blob(16 << 20)
	h := storage.Handle{Kind: storage.KindData, Name: name}
	if err := be.Save(b.Context(), h, data); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(1 << 20)
	before := be.Requests().Get
	n := 0
	for i := 0; b.Loop(); i++ {
		n++
		rd, err := be.Load(b.Context(), h, int64(i%15)<<20, 1<<20)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, rd); err != nil {
			b.Fatal(err)
		}
		rd.Close()
	}
	b.ReportMetric(float64(be.Requests().Get-before)/float64(n), "GET/op")
}

// BenchmarkStatSmall measures one HEAD round trip.
func BenchmarkStatSmall(b *testing.B) {
	be := open(b, minio(b).options())
	h := storage.Handle{Kind: storage.KindSession, Name: "s"}
	if err := be.Save(b.Context(), h, []byte("x")); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := be.Stat(b.Context(), h); err != nil {
			b.Fatal(err)
		}
	}
}
