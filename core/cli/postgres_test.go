package cli

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/internal/testenv"
)

// pg is a database on the PostgreSQL started by scripts/services/postgres.sh.
type pg struct {
	t                     *testing.T
	bin, host, port, user string
	db                    string
}

func newPG(t *testing.T) *pg {
	p := &pg{t: t,
		host: testenv.Require(t, "SAVEPOINT_TEST_PG_HOST"), port: testenv.Require(t, "SAVEPOINT_TEST_PG_PORT"),
		user: testenv.Require(t, "SAVEPOINT_TEST_PG_USER"), bin: testenv.Require(t, "SAVEPOINT_TEST_PG_BIN"),
		db: fmt.Sprintf("app_%d", time.Now().UnixNano()),
	}
	admin := *p
	admin.db = "postgres"
	admin.sql("CREATE DATABASE " + p.db)
	t.Cleanup(func() { admin.sql("DROP DATABASE IF EXISTS " + p.db + " WITH (FORCE)") })
	return p
}

func (p *pg) conn() string {
	return fmt.Sprintf("-h %s -p %s -U %s", p.host, p.port, p.user)
}

func (p *pg) sql(q string) string {
	p.t.Helper()
	cmd := exec.Command(filepath.Join(p.bin, "psql"), "-h", p.host, "-p", p.port, "-U", p.user, "-d", p.db,
		"-v", "ON_ERROR_STOP=1", "-Atq", "-c", q)
	out, err := cmd.CombinedOutput()
	if err != nil {
		p.t.Fatalf("psql %q: %v: %s", q, err, out)
	}
	return strings.TrimSpace(string(out))
}

// fingerprint is every row of the schema's tables, hashed in key order.
func (p *pg) fingerprint() string {
	return p.sql(`SELECT (SELECT count(*) || ':' || md5(string_agg(c::text, ',' ORDER BY id)) FROM customers c) || ' ' ||
		(SELECT count(*) || ':' || md5(string_agg(o::text, ',' ORDER BY id)) FROM orders o)`)
}

func TestPostgresCheckpointRollback(t *testing.T) {
	db := newPG(t)
	db.sql(`CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text UNIQUE, balance numeric(12,2));
		CREATE TABLE orders (id serial PRIMARY KEY, customer_id int REFERENCES customers(id), amount numeric(12,2), note text);
		INSERT INTO customers (name, email, balance) SELECT 'customer ' || i, 'c' || i || '@example.com', i * 1.25 FROM generate_series(1, 20000) i;
		INSERT INTO orders (customer_id, amount, note) SELECT 1 + i % 20000, i % 977, repeat('x', i % 50) FROM generate_series(1, 50000) i;`)
	before := db.fingerprint()
	if !strings.HasPrefix(before, "20000:") || !strings.Contains(before, " 50000:") {
		t.Fatalf("fingerprint %s", before)
	}

	r := newCLI(t)
	r.env["GITHUB_ACTIONS"], r.env["GITHUB_SHA"], r.env["GITHUB_REF_NAME"], r.env["SAVEPOINT_ENVIRONMENT"] =
		"true", "aaaaaaa1111111", "main", "production"
	dump := fmt.Sprintf("db=%s -Fp --clean --if-exists --no-owner %s %s", filepath.Join(db.bin, "pg_dump"), db.conn(), db.db)
	restore := fmt.Sprintf("db=%s -v ON_ERROR_STOP=1 -q %s -d %s", filepath.Join(db.bin, "psql"), db.conn(), db.db)
	r.ok("checkpoint", "--name", "production", "--command", dump, "--restore-command", restore)

	// The deploy of commit aaaaaaa runs a destructive migration...
	db.sql(`ALTER TABLE customers DROP COLUMN balance; DELETE FROM orders WHERE id % 3 = 0;
		UPDATE customers SET name = upper(name) WHERE id < 5000; DROP TABLE orders;`)
	if db.sql("SELECT count(*) FROM information_schema.tables WHERE table_name = 'orders'") != "0" {
		t.Fatal("migration did not drop orders")
	}
	// ...and the next pipeline (commit bbbbbbb) checkpoints the damaged state.
	r.env["GITHUB_SHA"] = "bbbbbbb2222222"
	r.ok("checkpoint", "--name", "production", "--command", dump, "--restore-command", restore)
	if n := len(r.snapshots("--env", "production", "--checkpoints")); n != 2 {
		t.Fatalf("%d checkpoints", n)
	}

	// Roll back to the state from before aaaaaaa was deployed.
	out := r.ok("rollback", "--name", "production", "--before-commit", "aaaaaaa")
	if !strings.Contains(out, "commit aaaaaaa1111111") || !strings.Contains(out, "1 step(s) ran, 0 failed, 0 not run") {
		t.Fatalf("rollback output:\n%s", out)
	}
	if after := db.fingerprint(); after != before {
		t.Fatalf("after rollback %s, want %s", after, before)
	}
	if got := db.sql("SELECT balance FROM customers WHERE id = 4"); got != "5.00" {
		t.Fatalf("balance of customer 4 = %q", got)
	}

	// A restore command that fails (wrong database) stops with psql's message.
	bad := fmt.Sprintf("db=%s -v ON_ERROR_STOP=1 -q %s -d no_such_db", filepath.Join(db.bin, "psql"), db.conn())
	code, _, errOut := r.run("rollback", "--name", "production", "--restore-command", bad)
	if code != ExitError || !strings.Contains(errOut, `database "no_such_db" does not exist`) {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

// TestPostgresDumpDedup: a second pg_dump -Fp of a table after an UPDATE
// of 1% of its rows (one batch of consecutive ids) stores under 10% of
// the dump (repository with 64 KiB average chunks; see docs/rollback.md
// for the default-chunk figures).
func TestPostgresDumpDedup(t *testing.T) {
	db := newPG(t)
	db.sql(`CREATE TABLE events (id serial PRIMARY KEY, account int, kind text, payload text, created timestamptz);
		INSERT INTO events (account, kind, payload, created)
		SELECT i % 5000, (ARRAY['login','view','buy','logout'])[1 + i % 4], md5(i::text) || repeat(' ', i % 20),
		       '2026-01-01'::timestamptz + i * interval '1 second' FROM generate_series(1, 200000) i;`)
	r2 := &cliRun{t: t, repo: filepath.Join(t.TempDir(), "repo"), env: map[string]string{"SAVEPOINT_PASSWORD": "pw"}}
	r2.ok("init", "--chunk-min", "16384", "--chunk-avg", "65536", "--chunk-max", "262144")
	dump := fmt.Sprintf("db=%s -Fp %s %s", filepath.Join(db.bin, "pg_dump"), db.conn(), db.db)
	first := r2.snapshotJSON("checkpoint", "--name", "db", "--command", dump)
	db.sql(`UPDATE events SET kind = 'refund' WHERE id BETWEEN 100001 AND 102000`)
	second := r2.snapshotJSON("checkpoint", "--name", "db", "--command", dump)
	size := second.Sources[0].Size
	newPct := float64(second.Stats.BytesNew) / float64(size) * 100
	storedPct := float64(second.Stats.BytesStored) / float64(size) * 100
	t.Logf("pg_dump -Fp: first %d bytes stored %d; second %d bytes, new %d (%.2f%%), stored %d (%.2f%%), requests %d",
		first.Sources[0].Size, first.Stats.BytesStored, size, second.Stats.BytesNew, newPct, second.Stats.BytesStored, storedPct, second.Stats.Requests.Total())
	if newPct >= 10 {
		t.Fatalf("second dump stored %.2f%% new bytes, want < 10%%", newPct)
	}
}

func (r *cliRun) snapshotJSON(args ...string) SnapshotJSON {
	r.t.Helper()
	var s SnapshotJSON
	if err := json.Unmarshal([]byte(r.ok(append([]string{"--json"}, args...)...)), &s); err != nil {
		r.t.Fatal(err)
	}
	return s
}
