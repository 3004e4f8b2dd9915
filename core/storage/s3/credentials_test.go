package s3_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/s3"
)

// isolate clears every credential source of the process environment.
func isolate(t *testing.T) {
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY",
		"AWS_SESSION_TOKEN", "MINIO_ACCESS_KEY", "MINIO_SECRET_KEY", "MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD",
		"AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ENDPOINT_URL_STS",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_REGION"} {
		t.Setenv(k, "")
	}
	dir := t.TempDir()
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "none"))
}

func TestCredentialsFromGetenvAndProfile(t *testing.T) {
	isolate(t)
	v, err := s3.NewCredentials("", func(k string) string {
		return map[string]string{"AWS_ACCESS_KEY_ID": "id1", "AWS_SECRET_ACCESS_KEY": "sec1"}[k]
	}).Get()
	if err != nil || v.AccessKeyID != "id1" || v.SecretAccessKey != "sec1" {
		t.Fatalf("getenv keys: %+v %v", v.AccessKeyID, err)
	}
	file := filepath.Join(t.TempDir(), "credentials")
	os.WriteFile(file, []byte("[default]\naws_access_key_id = d\naws_secret_access_key = ds\n[ci]\naws_access_key_id = id2\naws_secret_access_key = sec2\n"), 0o600)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", file)
	if v, err := s3.NewCredentials("ci", nil).Get(); err != nil || v.AccessKeyID != "id2" {
		t.Fatalf("profile ci: %+v %v", v.AccessKeyID, err)
	}
	t.Setenv("AWS_PROFILE", "ci")
	if v, err := s3.NewCredentials("", nil).Get(); err != nil || v.AccessKeyID != "id2" {
		t.Fatalf("AWS_PROFILE=ci: %+v %v", v.AccessKeyID, err)
	}
}

// fakeSTS answers AssumeRoleWithWebIdentity with the given keys, or
// refuses when access is empty.
func fakeSTS(t *testing.T, wantToken, access, secret string) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		r.ParseForm()
		if r.Form.Get("Action") != "AssumeRoleWithWebIdentity" || r.Form.Get("WebIdentityToken") != wantToken ||
			r.Form.Get("RoleArn") != "arn:aws:iam::123456789012:role/ci" || access == "" {
			w.WriteHeader(403)
			fmt.Fprint(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error><RequestId>r1</RequestId></ErrorResponse>`)
			return
		}
		fmt.Fprintf(w, `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey><Expiration>%s</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`,
			access, secret, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

// TestWebIdentity walks the OIDC route CI jobs use (GitHub's and GitLab's
// ID tokens exchanged at STS): token file + role ARN in the environment,
// exchanged once, then signed requests against MinIO.
func TestWebIdentity(t *testing.T) {
	srv := minio(t)
	isolate(t)
	token := filepath.Join(t.TempDir(), "token")
	os.WriteFile(token, []byte("header.payload.signature"), 0o600)
	t.Setenv("AWS_WEB_IDENTITY_TOKEN_FILE", token)
	t.Setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/ci")

	sts, calls := fakeSTS(t, "header.payload.signature", srv.access, srv.secret)
	t.Setenv("AWS_ENDPOINT_URL_STS", sts.URL)
	o := srv.options()
	o.Credentials = nil // the provider chain
	b := open(t, o)
	h := storage.Handle{Kind: storage.KindConfig, Name: "config"}
	for i := 0; i < 3; i++ {
		if err := b.Save(t.Context(), h, []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("STS called %d times, want once (the keys are cached until they expire)", n)
	}

	// A role that does not trust the token: the refusal names web identity.
	refuse, _ := fakeSTS(t, "header.payload.signature", "", "")
	t.Setenv("AWS_ENDPOINT_URL_STS", refuse.URL)
	o.Credentials = nil
	b2 := newBackend(t, o)
	_, err := b2.Load(t.Context(), h, 0, 0)
	checkLine(t, "refused web identity", err, storage.ErrPermission, "header.payload.signature")
	if !strings.Contains(err.Error(), "web identity") || !strings.Contains(err.Error(), "sts:AssumeRoleWithWebIdentity") {
		t.Fatalf("message does not name the web identity failure: %v", err)
	}
}
