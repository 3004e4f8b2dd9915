package plugin

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestLineWriterMasksAcrossWrites(t *testing.T) {
	var out bytes.Buffer
	w := &lineWriter{w: &out, r: newRedactor([]string{"hunter22", `pa"ss\word`, "ab"})}
	// The secret is split across writes: masking works on whole lines.
	for _, p := range []string{"savepoint: wrong password hun", "ter22 for repo\n", "next ab line\n", "tail hunter22"} {
		w.Write([]byte(p))
	}
	w.Flush()
	got := out.String()
	want := "savepoint: wrong password " + Mask + " for repo\nnext ab line\ntail " + Mask + "\n"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if w.Last() != "tail "+Mask {
		t.Errorf("Last = %q", w.Last())
	}
	// JSON-escaped forms are masked too (result.json).
	q, _ := json.Marshal(map[string]string{"error": `x pa"ss\word y`})
	if r := string(w.r.bytes(q)); strings.Contains(r, "word") {
		t.Errorf("escaped secret survived: %s", r)
	}
}

func TestOutputJSON(t *testing.T) {
	cases := map[string]string{
		"":                          "",
		"{\n  \"id\": \"abc\"\n}\n": `{"id":"abc"}`,
		"{\"a\":1}\n{\"b\":2}\n":    `[{"a":1},{"b":2}]`,
		"plain text\n":              `"plain text"`,
		"{\"a\":1}\nthen text":      `"{\"a\":1}\nthen text"`,
	}
	for in, want := range cases {
		got := outputJSON([]byte(in))
		var c bytes.Buffer
		if len(got) > 0 {
			json.Compact(&c, got)
		}
		if c.String() != want {
			t.Errorf("outputJSON(%q) = %s, want %s", in, c.String(), want)
		}
	}
	if id := snapshotID(json.RawMessage(`{"snapshot":"abc","target":"."}`)); id != "abc" {
		t.Errorf("snapshotID(restore) = %q", id)
	}
	if id := snapshotID(json.RawMessage(`{"snapshot":{"id":"def"}}`)); id != "def" {
		t.Errorf("snapshotID(nested) = %q", id)
	}
	if id := snapshotID(json.RawMessage(`{"plan":{"snapshot":"p1"},"report":{"snapshot":"r1"}}`)); id != "r1" {
		t.Errorf("snapshotID(rollback) = %q", id)
	}
	if id := snapshotID(json.RawMessage(`{"dry_run":true,"plan":{"snapshot":"p1"}}`)); id != "p1" {
		t.Errorf("snapshotID(rollback dry run) = %q", id)
	}
}
