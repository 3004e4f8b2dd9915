package oci_test

import (
	"io"
	"os"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/oci"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
)

// benchHost is the real registry when `make test`/`make bench` started one,
// else the in-process registry, which the benchmark's log says: its
// figures are not a registry's.
func benchHost(b *testing.B) string {
	if h := os.Getenv("SAVEPOINT_TEST_REGISTRY"); h != "" {
		return h
	}
	b.Log("SAVEPOINT_TEST_REGISTRY is not set: measuring go-containerregistry's in-process registry, not a real one")
	return inProcess(b, nil)
}

func BenchmarkSavePack(b *testing.B) {
	host := benchHost(b)
	be, err := oci.New("oci://"+host+"/savepoint-bench/"+runID, oci.Options{Keychain: anonymous})
	if err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	b.SetBytes(16 << 20)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		data, name := storagetest.Blob(16 << 20)
		b.StartTimer()
		if err := be.Save(ctx, storage.Handle{Kind: storage.KindData, Name: name}, data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(be.Requests().Total())/float64(b.N), "requests/op")
}

func BenchmarkLoadRange(b *testing.B) {
	host := benchHost(b)
	be, err := oci.New("oci://"+host+"/savepoint-bench/"+runID+"-load", oci.Options{Keychain: anonymous})
	if err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	data, name := storagetest.Blob(16 << 20)
	h := storage.Handle{Kind: storage.KindData, Name: name}
	if err := be.Save(ctx, h, data); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(1 << 20)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rd, err := be.Load(ctx, h, int64(i%15)<<20, 1<<20)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, rd)
		rd.Close()
	}
}
