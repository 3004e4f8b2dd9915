package oci_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/location"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/testregistry"
)

// TestLocationOpen checks the wiring of oci:// URLs in core/location: flags,
// CI conventions and their errors.
func TestLocationOpen(t *testing.T) {
	host := inProcess(t, testregistry.BasicAuth("gitlab-ci-token", "job-secret"))
	ctx := t.Context()
	env := map[string]string{"CI_REGISTRY": host, "CI_REGISTRY_USER": "gitlab-ci-token", "CI_REGISTRY_PASSWORD": "job-secret", "MY_PW": "job-secret"}
	getenv := func(k string) string { return env[k] }
	data, name := storagetest.Blob(100)
	h := storage.Handle{Kind: storage.KindSnapshot, Name: name}

	for _, tc := range []struct {
		name string
		opts location.OCIOptions
	}{
		{"GitLab CI variables", location.OCIOptions{}},
		{"explicit flags", location.OCIOptions{Username: "gitlab-ci-token", PasswordEnv: "MY_PW"}},
	} {
		b, err := location.Open(ctx, "oci://"+host+"/group/project/savepoints", location.Options{Getenv: getenv, OCI: tc.opts})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if err := b.Save(ctx, h, data); err != nil {
			t.Fatalf("%s: Save: %v", tc.name, err)
		}
		if got := b.Location(); strings.Contains(got, "job-secret") {
			t.Fatalf("Location shows the password: %s", got)
		}
	}

	_, err := location.Open(ctx, "oci://"+host+"/group/project/savepoints", location.Options{Getenv: getenv, OCI: location.OCIOptions{Username: "x", PasswordEnv: "UNSET_VAR"}})
	if !errors.Is(err, storage.ErrPermission) || !strings.Contains(err.Error(), "UNSET_VAR") {
		t.Fatalf("unset password variable: %v", err)
	}
	b, err := location.Open(ctx, "oci://"+host+"/group/project/savepoints", location.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Stat(ctx, h); !errors.Is(err, storage.ErrPermission) {
		t.Fatalf("no credentials: %v, want ErrPermission", err)
	}
	if _, err := location.Open(ctx, "oci://Acme/App", location.Options{}); err == nil {
		t.Fatal("a reference without a registry host was accepted")
	}
}
