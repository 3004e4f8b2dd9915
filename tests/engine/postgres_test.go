package engine

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/testenv"
)

// database is a fresh database on the PostgreSQL server that
// scripts/services/postgres.sh started, dropped when the test ends.
type database struct {
	t   *testing.T
	bin string            // the server's client programs
	env map[string]string // PGHOST, PGPORT, PGUSER, PGDATABASE
}

// newDatabase creates database name (dropping one left by an earlier run).
func newDatabase(t *testing.T, name string) *database {
	t.Helper()
	d := &database{t: t, bin: testenv.Require(t, "SAVEPOINT_TEST_PG_BIN"), env: map[string]string{
		"PGHOST": testenv.Require(t, "SAVEPOINT_TEST_PG_HOST"), "PGPORT": testenv.Require(t, "SAVEPOINT_TEST_PG_PORT"),
		"PGUSER": testenv.Require(t, "SAVEPOINT_TEST_PG_USER"), "PGDATABASE": name,
	}}
	admin := map[string]string{"PGDATABASE": "postgres"}
	for k, v := range d.env {
		if k != "PGDATABASE" {
			admin[k] = v
		}
	}
	command(t, admin, filepath.Join(d.bin, "dropdb"), "--if-exists", name)
	if r := command(t, admin, filepath.Join(d.bin, "createdb"), name); r.code != 0 {
		t.Fatalf("createdb %s: %s", name, r.output())
	}
	t.Cleanup(func() { command(t, admin, filepath.Join(d.bin, "dropdb"), "--if-exists", name) })
	return d
}

// psql runs SQL and returns its unaligned, tuples-only output.
func (d *database) psql(sql string) string {
	d.t.Helper()
	r := command(d.t, d.env, filepath.Join(d.bin, "psql"), "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql)
	if r.code != 0 {
		d.t.Fatalf("psql %q: %s", sql, r.output())
	}
	return strings.TrimSpace(r.stdout)
}

// rows is the table's rows as JSON objects, ordered by id.
func (d *database) rows(table string) string {
	d.t.Helper()
	return d.psql("SELECT string_agg(row_to_json(r)::text, ' ' ORDER BY id) FROM " + table + " r")
}
