package capture

import "testing"

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"pg_dump postgres://app:s3cret@db:5432/app":   "pg_dump postgres://app:***@db:5432/app",
		"PGPASSWORD=s3cret pg_dump app":               "PGPASSWORD=*** pg_dump app",
		"mysqldump --password=s3cret app":             "mysqldump --password=*** app",
		"psql 'host=db password=s3cret dbname=app'":   "psql 'host=db password=*** dbname=app'",
		"curl -H 'x' --token s3cret https://u@host/x": "curl -H 'x' --token *** https://u@host/x",
		"pg_dump -Fp --clean app":                     "pg_dump -Fp --clean app",
		`export MY_TOKEN="a b"; do`:                   `export MY_TOKEN=***; do`,
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
