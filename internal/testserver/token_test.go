package testserver

import "testing"

func TestSecret(t *testing.T) {
	if got := Secret("spt_abc123_s3cr3t"); got != "s3cr3t" {
		t.Errorf("Secret = %q, want s3cr3t", got)
	}
}
