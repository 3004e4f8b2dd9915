package oci_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/oci"
)

func TestCredentials(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, tc := range []struct {
		name, host, user, passEnv string
		getenv                    func(string) string
		wantUser, wantPass        string
		wantErr                   bool
	}{
		{"keychain", "registry.example.com", "", "", env(), "", "", false},
		{"explicit", "registry.example.com", "bob", "REG_PW", env("REG_PW", "pw1"), "bob", "pw1", false},
		{"explicit, empty variable", "registry.example.com", "bob", "REG_PW", env(), "", "", true},
		{"explicit password, no user", "registry.example.com", "", "REG_PW", env("REG_PW", "pw1"), "", "", true},
		{"user without password", "registry.example.com", "bob", "", env(), "", "", true},
		{"ghcr with GITHUB_TOKEN", "ghcr.io", "", "", env("GITHUB_TOKEN", "ght", "GITHUB_ACTOR", "octocat"), "octocat", "ght", false},
		{"ghcr with the action input", "ghcr.io", "", "", env("INPUT_TOKEN", "inp"), "token", "inp", false},
		{"ghcr token for another registry", "registry.example.com", "", "", env("GITHUB_TOKEN", "ght"), "", "", false},
		{"ghcr explicit password env, default user", "ghcr.io", "", "PAT", env("PAT", "p", "GITHUB_ACTOR", "octocat"), "octocat", "p", false},
		{"gitlab", "registry.gitlab.com", "", "", env("CI_REGISTRY", "registry.gitlab.com", "CI_REGISTRY_USER", "gitlab-ci-token", "CI_REGISTRY_PASSWORD", "glt"), "gitlab-ci-token", "glt", false},
		{"gitlab, other registry", "ghcr.io", "", "", env("CI_REGISTRY", "registry.gitlab.com", "CI_REGISTRY_USER", "u", "CI_REGISTRY_PASSWORD", "p"), "", "", false},
		{"gitlab, explicit user", "gitlab.example.com:5050", "deployer", "", env("CI_REGISTRY", "gitlab.example.com:5050", "CI_REGISTRY_USER", "u", "CI_REGISTRY_PASSWORD", "p"), "deployer", "p", false},
	} {
		u, p, err := oci.Credentials(tc.host, tc.user, tc.passEnv, tc.getenv)
		if (err != nil) != tc.wantErr || u != tc.wantUser || p != tc.wantPass {
			t.Errorf("%s: got (%q, %q, %v), want (%q, %q, error %v)", tc.name, u, p, err, tc.wantUser, tc.wantPass, tc.wantErr)
		}
		if err != nil {
			if !errors.Is(err, storage.ErrPermission) || !errors.Is(err, oci.ErrIncompleteCredentials) || strings.Contains(err.Error(), "pw1") || strings.Contains(err.Error(), "--") {
				t.Errorf("%s: error %q", tc.name, err)
			}
		}
	}
}
