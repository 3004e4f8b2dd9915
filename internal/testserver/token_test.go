package testserver

import "testing"

func TestSecret(t *testing.T) {
	for token, want := range map[string]string{
		"spt_0123456789abcdef_s3cr3tAbCdEfGhIjKlMnOpQrStUvWxYz0123456789a": "s3cr3tAbCdEfGhIjKlMnOpQrStUvWxYz0123456789a",
		// base64url secrets hold "_" one time in ~2: the whole secret, not
		// the few characters after its last "_", which any log may hold
		"spt_0123456789abcdef_Ab_Cd-EfGhIjKlMnOpQrStUvWxYz0123456789abcde": "Ab_Cd-EfGhIjKlMnOpQrStUvWxYz0123456789abcde",
	} {
		if got := Secret(token); got != want {
			t.Errorf("Secret(%q) = %q, want %q", token, got, want)
		}
	}
}
