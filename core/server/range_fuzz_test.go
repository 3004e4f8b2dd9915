package server

import (
	"strconv"
	"testing"
)

// FuzzParseRange: the Range header of a load, as a client (or anyone
// holding a token) may send it. A range it accepts is one it can serve:
// a start and a length that are not negative and do not overflow, and
// that the canonical header reads back as.
func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"", "bytes=0-", "bytes=10-19", "bytes=5-4", "bytes=-5", "bytes=0-9223372036854775807",
		"bytes=1-2,4-5", "items=0-1", "bytes= 1-2", "bytes=+1-2", "bytes=9223372036854775807-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		off, n, ranged, err := parseRange(v)
		if err != nil {
			if ranged || off != 0 || n != 0 {
				t.Fatalf("%q refused (%v) with a range %d+%d", v, err, off, n)
			}
			return
		}
		if ranged != (v != "") || off < 0 || n < 0 || (n > 0 && off+n-1 < off) {
			t.Fatalf("%q: offset %d length %d ranged %v", v, off, n, ranged)
		}
		if !ranged {
			return
		}
		canonical := "bytes=" + strconv.FormatInt(off, 10) + "-"
		if n > 0 {
			canonical += strconv.FormatInt(off+n-1, 10)
		}
		if off2, n2, _, err := parseRange(canonical); err != nil || off2 != off || n2 != n {
			t.Fatalf("%q reads as %d+%d, but %q as %d+%d (%v)", v, off, n, canonical, off2, n2, err)
		}
	})
}
