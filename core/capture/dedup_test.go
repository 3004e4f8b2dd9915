package capture

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage/mem"
	"github.com/savepoint-ci/savepoint/internal/testkdf"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// sqlDump writes a deterministic pg_dump -Fp style table of about size
// bytes (COPY rows of ~84 bytes). Rows for which changed(i) is true get
// different values, as after an UPDATE; the order of rows is kept, as
// pg_dump -Fp of a table with a primary key ordered by it would.
func sqlDump(size int, changed func(row, rows int) bool) []byte {
	var b bytes.Buffer
	b.Grow(size + 1<<10)
	b.WriteString("--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n\n")
	b.WriteString("CREATE TABLE public.orders (id bigint NOT NULL, customer text, email text, amount numeric, status text, created timestamptz);\n\n")
	b.WriteString("COPY public.orders (id, customer, email, amount, status, created) FROM stdin;\n")
	// Row count is fixed by size (rows average ~84 bytes) so that the
	// changed rows are the same fraction in every variant.
	rows := size / 84
	statuses := []string{"new", "paid", "shipped", "refunded"}
	for i := 0; i < rows; i++ {
		r := rand.New(rand.NewPCG(uint64(i), 42))
		status := statuses[r.IntN(len(statuses))]
		amount := r.IntN(100000)
		if changed(i, rows) {
			status, amount = "cancelled", amount+1
		}
		fmt.Fprintf(&b, "%d\tcustomer-%08x\tuser%d@example.com\t%d.%02d\t%s\t2026-%02d-%02d %02d:%02d:%02d+00\n",
			i+1, r.Uint32(), r.IntN(1000000), amount/100, amount%100, status,
			1+r.IntN(12), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60))
	}
	b.WriteString("\\.\n\n--\n-- PostgreSQL database dump complete\n--\n")
	return b.Bytes()
}

// clustered changes 1% of the rows in 8 runs of consecutive ids, the shape
// of batch updates and of recent rows being edited.
func clustered(row, rows int) bool {
	run := rows / 800 // 8 runs of rows/800 rows = 1%
	return (row % (rows / 8)) < run
}

// scattered changes 1% of the rows, spread uniformly: the worst case for
// any chunk-level deduplication.
func scattered(row, rows int) bool { return row%100 == 37 }

func none(int, int) bool { return false }

// secondDump stores first then second in repo and returns the write stats
// of the second save alone.
func secondDump(tb testing.TB, newRepo func() (*repository.Repository, func() *repository.Repository), first, second []byte) repository.WriteStats {
	ctx := tb.Context()
	repo, reopen := newRepo()
	if _, err := Stdin(ctx, repo, "db", "", bytes.NewReader(first)); err != nil {
		tb.Fatal(err)
	}
	if _, err := repo.Flush(ctx); err != nil {
		tb.Fatal(err)
	}
	repo = reopen() // a new session: WriteStats covers the second dump only
	src, err := Stdin(ctx, repo, "db", "", bytes.NewReader(second))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := repo.Flush(ctx); err != nil {
		tb.Fatal(err)
	}
	if src.Size != uint64(len(second)) {
		tb.Fatalf("stored %d bytes of %d", src.Size, len(second))
	}
	return repo.WriteStats()
}

func smallChunkRepo(tb testing.TB) func() (*repository.Repository, func() *repository.Repository) {
	return func() (*repository.Repository, func() *repository.Repository) {
		repo, be := testrepo.New(tb)
		return repo, func() *repository.Repository { return testrepo.Reopen(tb, be) }
	}
}

// TestDumpDedup: a second plain-format dump of ~20 MB with 1% of its rows
// changed stores under 10% of its size (the test repository's chunks
// average 64 KiB; BenchmarkDumpDedup does 200 MB with default chunks).
func TestDumpDedup(t *testing.T) {
	first := sqlDump(20<<20, none)
	second := sqlDump(20<<20, clustered)
	if bytes.Equal(first, second) {
		t.Fatal("the second dump is the same")
	}
	ws := secondDump(t, smallChunkRepo(t), first, second)
	raw := float64(ws.BytesRaw) / float64(len(second)) * 100
	stored := float64(ws.BytesStored) / float64(len(second)) * 100
	t.Logf("second dump %d bytes: new plaintext %d (%.2f%%), stored %d (%.2f%%), %d new blobs",
		len(second), ws.BytesRaw, raw, ws.BytesStored, stored, ws.Blobs)
	if raw >= 10 || stored >= 10 {
		t.Fatalf("second dump stored %.2f%% new plaintext, %.2f%% stored bytes: want < 10%%", raw, stored)
	}
	if ws.Blobs == 0 {
		t.Fatal("no new blob at all: the change was not stored")
	}
}

// BenchmarkDumpDedup stores a 200 MB dump, then a second one with 1% of
// the rows changed, in a repository with the default chunker, and reports
// the share of the second dump that was uploaded.
func BenchmarkDumpDedup(b *testing.B) {
	for _, c := range []struct {
		name    string
		changed func(int, int) bool
	}{{"clustered", clustered}, {"scattered", scattered}} {
		b.Run(c.name, func(b *testing.B) {
			first := sqlDump(200<<20, none)
			second := sqlDump(200<<20, c.changed)
			testkdf.Cheap()
			b.SetBytes(int64(len(second)))
			b.ResetTimer()
			var ws repository.WriteStats
			for i := 0; i < b.N; i++ {
				ws = secondDump(b, func() (*repository.Repository, func() *repository.Repository) {
					be := mem.New()
					repo, err := repository.Init(b.Context(), be, repository.InitOptions{Password: "p"})
					if err != nil {
						b.Fatal(err)
					}
					return repo, func() *repository.Repository {
						r, err := repository.Open(b.Context(), be, repository.OpenOptions{Password: "p"})
						if err != nil {
							b.Fatal(err)
						}
						return r
					}
				}, first, second)
			}
			b.ReportMetric(float64(ws.BytesRaw)/float64(len(second))*100, "%new")
			b.ReportMetric(float64(ws.BytesStored)/float64(len(second))*100, "%stored")
		})
	}
}
