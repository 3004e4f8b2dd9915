package cli

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/savepoint-ci/savepoint/core/rollback"
	"github.com/savepoint-ci/savepoint/internal/testenv"
	"github.com/savepoint-ci/savepoint/internal/testregistry"
)

func TestCheckpointImagesRollback(t *testing.T) {
	for _, reg := range []struct {
		name string
		host func(t *testing.T) string
	}{
		{"in-process", func(t *testing.T) string { return testregistry.InProcess(t, nil) }},
		{"docker-registry", func(t *testing.T) string { return testenv.Require(t, "SAVEPOINT_TEST_REGISTRY") }},
	} {
		t.Run(reg.name, func(t *testing.T) {
			host := reg.host(t)
			ref := host + "/savepoint-cli/api-" + strings.ReplaceAll(strings.ToLower(t.Name()), "/", "-") + ":prod"
			first := testregistry.PushRandom(t, ref)
			r := newCLI(t)
			r.env["GITLAB_CI"], r.env["CI_COMMIT_SHA"], r.env["CI_ENVIRONMENT_NAME"] = "true", "1111111aaaa", "production"
			r.ok("checkpoint", "--name", "production", "--image", "api="+ref, "--pin")
			list := r.snapshots("--env", "production")
			if len(list) != 1 || len(list[0].Sources) != 1 {
				t.Fatalf("snapshots %+v", list)
			}
			src := list[0].Sources[0]
			if src.Kind != "image" || src.Digest != first.String() || !strings.HasPrefix(src.PinTag, "savepoint-pin-") {
				t.Fatalf("source %+v", src)
			}
			pinRef := ref[:strings.LastIndex(ref, ":")] + ":" + src.PinTag
			if testregistry.Digest(t, pinRef) != first.String() {
				t.Fatal("the pin tag does not point to the recorded digest")
			}

			second := testregistry.PushRandom(t, ref) // the deploy moves the tag
			if testregistry.Digest(t, ref) != second.String() {
				t.Fatal("tag did not move")
			}
			out := r.ok("rollback", "--name", "production")
			if !strings.Contains(out, "re-point "+ref+" to "+first.String()) || !strings.Contains(out, "1 step(s) ran, 0 failed, 0 not run") {
				t.Fatalf("rollback output:\n%s", out)
			}
			if got := testregistry.Digest(t, ref); got != first.String() {
				t.Fatalf("tag at %s after rollback, want %s", got, first)
			}
			// Once more: nothing to move.
			if out := r.ok("rollback", "--name", "production"); !strings.Contains(out, "unchanged") {
				t.Fatalf("second rollback:\n%s", out)
			}
		})
	}
}

func TestRegistryRefusesPin(t *testing.T) {
	savepointPut := func(r *http.Request) bool {
		return r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/") && strings.Contains(r.Header.Get("User-Agent"), "savepoint")
	}
	host := testregistry.InProcess(t, testregistry.Refuse(savepointPut, http.StatusForbidden, "DENIED", "requested access to the resource is denied"))
	ref := host + "/app:prod"
	testregistry.PushRandom(t, ref)
	r := newCLI(t)
	r.env["REG_PW"] = "hunter2-secret"
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644)
	code, _, errOut := r.run("checkpoint", "--name", "production", "--image-user", "ci", "--image-password-env", "REG_PW",
		"--command", "db=echo data", "--image", "api="+ref, "--pin", dir)
	if code != ExitError || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "registry refused (HTTP 403 DENIED") ||
		!strings.Contains(errOut, "nothing was committed") || strings.Contains(errOut, "hunter2") {
		t.Fatalf("exit %d: %q", code, errOut)
	}
	if list := r.snapshots(); len(list) != 0 {
		t.Fatalf("%d snapshot(s) committed after a refused pin", len(list))
	}

	// Rollback: the refused re-point fails its step, the report says so.
	r2 := newCLI(t)
	r2.ok("checkpoint", "--name", "production", "--image", "api="+ref) // no pin: HEAD only
	testregistry.PushRandom(t, ref)
	code, out, errOut := r2.run("--json", "rollback", "--name", "production")
	var res struct{ Report rollback.Report }
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if code != ExitError || res.Report.OK || res.Report.Steps[0].Status != rollback.StatusFailed ||
		!strings.Contains(res.Report.Steps[0].Error, "registry refused (HTTP 403") || !strings.Contains(errOut, "step 1 of 1") {
		t.Fatalf("exit %d, report %+v, stderr %q", code, res.Report, errOut)
	}
}

func TestCommandSourcesAndFailures(t *testing.T) {
	r := newCLI(t)
	work := t.TempDir()
	files := filepath.Join(work, "files")
	os.MkdirAll(files, 0o755)
	os.WriteFile(filepath.Join(files, "config"), []byte("v1"), 0o644)
	out := filepath.Join(work, "restored")

	// A failing dump commits nothing and says why, in one line.
	code, _, errOut := r.run("checkpoint", "--name", "production", "--command", "db=echo half; echo 'pg_dump: error: connection refused' >&2; exit 2", files)
	if code != ExitError || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "pg_dump: error: connection refused") ||
		!strings.Contains(errOut, "exit status 2") {
		t.Fatalf("exit %d: %q", code, errOut)
	}
	if n := len(r.snapshots()); n != 0 {
		t.Fatalf("%d snapshot(s) after a failed dump", n)
	}

	// Command and stdin sources; dump writes them back.
	r.env["DRONE"], r.env["DRONE_COMMIT_SHA"], r.env["DRONE_BRANCH"] = "true", "2222222bbbb", "main"
	r.ok("checkpoint", "--name", "production", "--command", "db=seq 1 50000", "--restore-command", "db=cat > "+out, files)
	r.in = strings.NewReader("from stdin\n")
	r.ok("save", "--name", "other", "--stdin", "blob")
	if got := r.ok("dump", "other:latest", "blob"); got != "from stdin\n" {
		t.Fatalf("dump: %q", got)
	}
	if got := r.ok("dump", "production:latest", "db"); !strings.HasSuffix(got, "\n50000\n") {
		t.Fatalf("dump: %q...", got[len(got)-20:])
	}
	if code, _, errOut := r.run("dump", "production:latest", "nope"); code != ExitError || !strings.Contains(errOut, `no source "nope" (it has: db)`) {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n := len(r.snapshots("--commit", "2222222", "--branch", "main")); n != 2 {
		t.Fatalf("%d snapshot(s) for the commit, want 2", n)
	}
	if n := len(r.snapshots("--commit", "2222222", "--checkpoints")); n != 1 {
		t.Fatalf("%d checkpoint(s) for the commit, want 1", n)
	}
	if n := len(r.snapshots("--branch", "develop")); n != 0 {
		t.Fatalf("%d snapshot(s) on develop", n)
	}

	// A failing restore command stops the rollback: files done, command failed.
	os.WriteFile(filepath.Join(files, "config"), []byte("v2"), 0o644)
	code, stdout, errOut := r.run("--json", "rollback", "--name", "production", "--target", "/",
		"--restore-command", "db=cat >/dev/null; echo 'ERROR: database \"app\" is being accessed by other users' >&2; exit 3")
	var res struct {
		Plan   rollback.Plan
		Report rollback.Report
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	st := res.Report.Steps
	if code != ExitError || len(st) != 2 || st[0].Status != rollback.StatusDone || st[1].Status != rollback.StatusFailed ||
		!strings.Contains(st[1].Error, `database "app" is being accessed by other users`) || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("exit %d, steps %+v, stderr %q", code, st, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(files, "config")); string(b) != "v1" {
		t.Fatalf("files not restored: %q", b)
	}

	// The stored restore command works; --dry-run changes nothing.
	os.WriteFile(filepath.Join(files, "config"), []byte("v3"), 0o644)
	plan := r.ok("rollback", "--name", "production", "--target", "/", "--dry-run")
	if b, _ := os.ReadFile(filepath.Join(files, "config")); string(b) != "v3" || !strings.Contains(plan, "pipe db") {
		t.Fatalf("dry run changed files or printed %s", plan)
	}
	r.ok("rollback", "--before-commit", "2222222", "--target", "/")
	if b, _ := os.ReadFile(out); !strings.HasSuffix(string(b), "\n50000\n") {
		t.Fatal("restore command did not receive the dump")
	}
	if code, _, errOut := r.run("rollback", "--before-commit", "3333333"); code != ExitNoSnapshot || !strings.Contains(errOut, "no checkpoint was taken by commit 3333333") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

func TestCaptureUsageErrors(t *testing.T) {
	r := newCLI(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"save"}, "give at least one PATH, --device, --command, --stdin or --image"},
		{[]string{"save", "--command", "pg_dump app"}, "expected NAME=VALUE"},
		{[]string{"save", "--command", "db=a", "--command", "db=b"}, `source name "db" given twice`},
		{[]string{"save", "--command", "db=a", "--restore-command", "x=b"}, "no --command or --stdin source of that name"},
		{[]string{"save", "--command", "db=a", "--pin"}, "--pin needs at least one --image"},
		{[]string{"checkpoint", "--command", "db=a"}, "give --name"},
		{[]string{"rollback"}, "--name NAME"},
		{[]string{"rollback", "--to", "latest", "--before-commit", "abc"}, "not both"},
		{[]string{"save", "--image", "api=reg.example/app:prod", "--image-password-env", "NOPE"}, "NOPE is empty or not set"},
		{[]string{"snapshots", "--provenance", "commit"}, "expected KEY=VALUE"},
	} {
		code, _, errOut := r.run(c.args...)
		if code != ExitUsage && !(code == ExitError && c.args[0] == "rollback") || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d: %q, want %q", c.args, code, errOut, c.want)
		}
	}
}

func TestRestoreExplainsSources(t *testing.T) {
	r := newCLI(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644)
	r.ok("save", "--name", "a", "--command", "db=echo hi")
	code, _, errOut := r.run("restore", "--target", t.TempDir(), "a:latest")
	if code != ExitError || !strings.Contains(errOut, "holds no files: restore puts back files only; command:db: use 'savepoint rollback --to") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	r.ok("save", "--name", "b", "--command", "db=echo hi", dir)
	code, _, errOut = r.run("restore", "--target", t.TempDir(), "b:latest")
	if code != 0 || !strings.Contains(errOut, "note: restore puts back files only; command:db") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

func TestCommandCredentialsNotShown(t *testing.T) {
	r := newCLI(t)
	out := filepath.Join(t.TempDir(), "out")
	r.ok("checkpoint", "--name", "p", "--command", "db=echo data # postgres://app:s3cret@db/app",
		"--restore-command", "db=cat > "+out+" # password=s3cret")
	list := r.snapshots()
	if strings.Contains(list[0].Sources[0].Command, "s3cret") || list[0].Sources[0].RestoreCommand == "" {
		t.Fatalf("source %+v", list[0].Sources[0])
	}
	for _, args := range [][]string{{"rollback", "--name", "p", "--dry-run"}, {"--json", "rollback", "--name", "p"}} {
		if got := r.ok(args...); strings.Contains(got, "s3cret") || !strings.Contains(got, "password=***") {
			t.Fatalf("%v printed:\n%s", args, got)
		}
	}
	if b, _ := os.ReadFile(out); string(b) != "data\n" {
		t.Fatalf("restore command got %q", b)
	}
}

func TestRollbackPreflightImageGone(t *testing.T) {
	host := testregistry.InProcess(t, nil)
	ref := host + "/app:prod"
	first := testregistry.PushRandom(t, ref)
	r := newCLI(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), []byte("v1"), 0o644)
	r.ok("checkpoint", "--name", "p", "--image", "api="+ref, dir) // not pinned
	os.WriteFile(filepath.Join(dir, "f"), []byte("v2"), 0o644)
	testregistry.PushRandom(t, ref)
	// Registry garbage collection removes the untagged manifest.
	dref, _ := name.NewDigest(host + "/app@" + first.String())
	if err := remote.Delete(dref); err != nil {
		t.Fatal(err)
	}
	code, stdout, errOut := r.run("--json", "rollback", "--name", "p", "--target", "/")
	var res struct{ Report rollback.Report }
	json.Unmarshal([]byte(stdout), &res)
	if code != ExitError || !strings.Contains(errOut, "rollback cannot start, nothing was changed") ||
		!strings.Contains(errOut, "pin images with --pin") || res.Report.Preflight == "" {
		t.Fatalf("exit %d: %s %+v", code, errOut, res.Report)
	}
	for _, st := range res.Report.Steps {
		if st.Status != rollback.StatusNotRun {
			t.Fatalf("step %s ran: %s", st.Description, st.Status)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "f")); string(b) != "v2" {
		t.Fatal("files were restored although the rollback could not start")
	}
	// --no-images rolls back the rest.
	r.ok("rollback", "--name", "p", "--target", "/", "--no-images")
	if b, _ := os.ReadFile(filepath.Join(dir, "f")); string(b) != "v1" {
		t.Fatal("files not restored")
	}
}

func TestCommandsDoNotSeeThePassword(t *testing.T) {
	t.Setenv("SAVEPOINT_PASSWORD", "repo-secret")
	t.Setenv("REG_PW", "reg-secret")
	r := newCLI(t)
	r.env["REG_PW"] = "reg-secret"
	out := filepath.Join(t.TempDir(), "env")
	r.ok("checkpoint", "--name", "p", "--image-password-env", "REG_PW", "--command", "db=env",
		"--restore-command", "db=cat >/dev/null; env > "+out)
	dump := r.ok("dump", "p:latest", "db")
	r.ok("rollback", "--name", "p", "--image-password-env", "REG_PW")
	b, _ := os.ReadFile(out)
	for _, s := range []string{dump, string(b)} {
		if !strings.Contains(s, "PATH=") || strings.Contains(s, "repo-secret") || strings.Contains(s, "reg-secret") {
			t.Fatalf("a command saw a password or no environment at all:\n%s", s)
		}
	}
}

func TestImageCredentialsFromRegistryFlags(t *testing.T) {
	host := testregistry.InProcess(t, testregistry.BasicAuth("ci", "reg-secret"))
	ref := host + "/app:prod"
	img, _ := random.Image(512, 1)
	tag, _ := name.NewTag(ref)
	if err := remote.Write(tag, img, remote.WithAuth(&authn.Basic{Username: "ci", Password: "reg-secret"})); err != nil {
		t.Fatal(err)
	}
	r := newCLI(t)
	r.env["REG_PW"] = "reg-secret"
	code, _, errOut := r.run("checkpoint", "--name", "p", "--image", "api="+ref)
	if code != ExitError || !strings.Contains(errOut, "registry refused (HTTP 401") {
		t.Fatalf("without credentials: exit %d: %s", code, errOut)
	}
	// The global flags of oci:// repositories apply to images too...
	r.ok("--registry-user", "ci", "--registry-password-env", "REG_PW", "checkpoint", "--name", "p", "--image", "api="+ref, "--pin")
	// ...and the image flags win over them.
	r.env["IMG_PW"] = "reg-secret"
	r.ok("--registry-user", "other", "--registry-password-env", "NOPE_NOT_USED", "checkpoint", "--name", "p",
		"--image-user", "ci", "--image-password-env", "IMG_PW", "--image", "api="+ref)
	if n := len(r.snapshots()); n != 2 {
		t.Fatalf("%d snapshots", n)
	}
}
