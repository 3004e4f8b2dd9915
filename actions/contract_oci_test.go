package main

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
)

// TestContractOCI runs the contract against go-containerregistry's
// in-process registry behind Basic authentication that accepts only the
// workflow's actor with the job's token: the token input reaches the
// registry as the password (through --registry-password-env, never on a
// command line) and appears nowhere in the output.
func TestContractOCI(t *testing.T) {
	var authorized, refused atomic.Int64
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != "octocat" || pass != fakeToken {
			refused.Add(1)
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		authorized.Add(1)
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	contract(t, "oci://"+host+"/octo/savepoint-cache", map[string]string{"token": fakeToken}, fakeToken)
	if authorized.Load() == 0 {
		t.Errorf("no authorized request reached the registry")
	}
	// A wrong token: one clear error annotation, the token nowhere.
	wrong := "ghs_WrongToken987654321"
	f := newFakeEnv(t).inputs(map[string]string{"command": "snapshots", "repository": "oci://" + host + "/octo/savepoint-cache",
		"password": testPassword, "token": wrong})
	if code := f.run(false); code == 0 {
		t.Errorf("wrong token: exit 0")
	}
	if errs := f.errors(); len(errs) != 1 || !strings.Contains(errs[0], "packages: write") {
		t.Errorf("wrong token: errors %q\n%s", errs, f.log.String())
	}
	t.Logf("wrong token: %q", f.errors())
	f.assertNoSecret(wrong)
	t.Logf("%d authorized requests, %d challenges", authorized.Load(), refused.Load())
}
