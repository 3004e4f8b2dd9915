package plugin

import (
	"bytes"
	"encoding/json"
	"testing"
)

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
