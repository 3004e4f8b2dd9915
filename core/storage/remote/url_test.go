package remote

import (
	"errors"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
)

func TestParseURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://backup.example.com/app":       "https://backup.example.com/app",
		"https://backup.example.com:8417/app/": "https://backup.example.com:8417/app",
		"http://127.0.0.1:8417/app":            "http://127.0.0.1:8417/app",
		"http://localhost/app":                 "http://localhost/app",
		"http://[::1]:9/my-app.cache_1":        "http://[::1]:9/my-app.cache_1",
	} {
		u, _, err := ParseURL(raw)
		if err != nil || u.String() != want {
			t.Errorf("ParseURL(%q) = %v, %v; want %s", raw, u, err, want)
		}
	}
	for _, raw := range []string{
		"http://backup.example.com/app", // a token in clear text over the network
		"https://host/",                 // no repository
		"https://host/a/b",              // a path, not a name
		"https://host/App",              // upper case
		"https://host/api",              // reserved
		"https://user:pw@host/app",      // credentials in the URL
		"https://host/app?x=1",
		"ftp://host/app",
	} {
		if _, _, err := ParseURL(raw); !errors.Is(err, storage.ErrInvalid) {
			t.Errorf("ParseURL(%q) = %v, want ErrInvalid", raw, err)
		}
	}
	// A password in the URL is refused without being repeated.
	_, _, err := ParseURL("https://ci:s3cret-token@host/app")
	if !errors.Is(err, ErrTokenInURL) || strings.Contains(err.Error(), "s3cret-token") {
		t.Errorf("credentials in the URL: %v, want ErrTokenInURL without the secret", err)
	}
}
