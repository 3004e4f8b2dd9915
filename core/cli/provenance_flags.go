package cli

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// provenanceFlags let a caller record provenance explicitly, e.g. a CI
// template that knows its platform's variables:
// --provenance commit=$CI_COMMIT_SHA --provenance pipeline_url=$CI_PIPELINE_URL.
func provenanceFlags() []cli.Flag {
	return []cli.Flag{
		&cli.GenericFlag{Name: "provenance", Value: &repeated{},
			Usage: "record provenance `KEY=VALUE` (repeatable; empty values are ignored)"},
	}
}

// repeated is a repeatable string flag that, unlike cli.StringSliceFlag,
// never splits a value at commas (a branch name may contain one).
type repeated struct{ vals []string }

func (r *repeated) Set(v string) error { r.vals = append(r.vals, v); return nil }
func (r *repeated) String() string     { return strings.Join(r.vals, " ") }

// provenanceFromFlags merges --provenance values over base (which is not
// modified). Keys are lower case letters, digits, '_', '-' and '.'.
func provenanceFromFlags(c *cli.Context, base map[string]string) (map[string]string, error) {
	var vals []string
	if r, ok := c.Generic("provenance").(*repeated); ok && r != nil {
		vals = r.vals
	}
	if len(vals) == 0 {
		return base, nil
	}
	out := make(map[string]string, len(base)+len(vals))
	for k, v := range base {
		out[k] = v
	}
	for _, kv := range vals {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !validProvenanceKey(k) {
			return nil, usagef("--provenance %q: want KEY=VALUE with a key of a-z, 0-9, '_', '-', '.'", kv)
		}
		if strings.ContainsAny(v, "\n\r\x00") {
			return nil, usagef("--provenance %s: the value must be one line", k)
		}
		if v = strings.TrimSpace(v); v != "" {
			out[k] = v
		}
	}
	return out, nil
}

func validProvenanceKey(k string) bool {
	if k == "" || len(k) > 64 {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}
