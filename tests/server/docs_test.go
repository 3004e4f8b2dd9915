package server

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/internal/doctest"
	"github.com/savepoint-ci/savepoint/internal/testenv"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// The tests below run every example of docs/server.md against real server
// processes: shell blocks with bash, systemd units by their ExecStart
// lines, the container command by its arguments to the image's entrypoint,
// CI files by their savepoint commands with the job's environment.

const exampleURL = "https://backup.example.com:8417"

// docBlocks returns the fenced blocks of docs/server.md in lang under a
// heading that starts with heading.
func docBlocks(t *testing.T, heading, lang string) []string {
	t.Helper()
	return doctest.Under(t, "docs/server.md", heading, lang)
}

// runScript runs a shell example with bash in dir, the test's savepoint
// first on PATH, env added, stopping on the first failing command; jobs it
// started in the background are killed at its end.
func runScript(t *testing.T, bin, dir, script string, env ...string) (string, error) {
	t.Helper()
	full := "set -eu\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + script
	cmd := exec.Command("bash", "-c", full)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(bin)+":"+os.Getenv("PATH"))
	cmd.Env = append(cmd.Env, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// unit parses a systemd unit example: its [Service] settings, in order,
// with continuation lines joined.
func unit(text string) [][2]string {
	var out [][2]string
	text = strings.ReplaceAll(text, "\\\n", " ")
	section := ""
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[':
			section = line
		case section == "[Service]":
			k, v, _ := strings.Cut(line, "=")
			out = append(out, [2]string{k, strings.Join(strings.Fields(v), " ")})
		}
	}
	return out
}

func TestDocQuickStart(t *testing.T) {
	bin := testserver.Binary(t)
	work := t.TempDir()
	testrepo.WriteFile(t, work, "dist/app.js", []byte("console.log('v1')"))
	testrepo.WriteFile(t, work, "dist/assets/logo.bin", testrepo.Random(100<<10))
	port := freePort(t)
	script := docBlocks(t, "Quick start", "sh")[0]
	script = strings.NewReplacer("/srv/savepoint", filepath.Join(work, "storage"), "8417", port,
		"/tmp/restored", filepath.Join(work, "restored")).Replace(script)
	out, err := runScript(t, bin, work, script)
	if err != nil {
		t.Fatalf("the quick start failed: %v\n%s", err, out)
	}
	if d := testrepo.Equal(t, filepath.Join(work, "dist"), filepath.Join(work, "restored", "dist")); d != "" {
		t.Errorf("the quick start's restore differs: %s", d)
	}
	if !strings.Contains(out, "exit 14") {
		t.Errorf("the quick start's forget with the append token was not refused with exit 14:\n%s", out)
	}
	// The refusal the page shows is the one the CLI prints.
	shown := strings.TrimSpace(docBlocks(t, "Quick start", "")[0])
	pattern := "^" + strings.ReplaceAll(regexp.QuoteMeta(strings.ReplaceAll(shown, "8417", port)), "3f1c…", "[0-9a-f]{16}") + "$"
	found := false
	for _, line := range strings.Split(out, "\n") {
		found = found || regexp.MustCompile(pattern).MatchString(line)
	}
	if !found {
		t.Errorf("no line of the output matches the documented refusal %q:\n%s", shown, out)
	}
}

func TestDocTokens(t *testing.T) {
	bin := testserver.Binary(t)
	work := t.TempDir()
	storage := filepath.Join(work, "storage")
	script := strings.ReplaceAll(docBlocks(t, "Roles and tokens", "sh")[0], "/srv/savepoint", storage)
	out, err := runScript(t, bin, work, script+"\nsavepoint token list --storage "+storage+"\n")
	if err != nil {
		t.Fatalf("the token example failed: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^[0-9a-f]{16}\s+app\s+read\s+revoked`).MatchString(out) {
		t.Errorf("token list after the example does not show the read token revoked:\n%s", out)
	}
}

func TestDocSystemd(t *testing.T) {
	bin := testserver.Binary(t)
	work := t.TempDir()
	cert, key := testserver.SelfSigned(t, work)
	os.MkdirAll(filepath.Join(work, "passwords"), 0o700)
	blocks := docBlocks(t, "systemd", "ini")
	var exec0, state, stopTimeout string
	for _, kv := range unit(blocks[0]) {
		switch kv[0] {
		case "ExecStart":
			exec0 = kv[1]
		case "StateDirectory":
			state = kv[1]
		case "TimeoutStopSec":
			stopTimeout = kv[1]
		}
	}
	if state == "" || !strings.Contains(exec0, "--storage /var/lib/"+state+" ") {
		t.Errorf("the unit's storage is not its StateDirectory (%q): %s", state, exec0)
	}
	if n, err := strconv.Atoi(stopTimeout); err != nil || n <= 60 {
		t.Errorf("TimeoutStopSec=%s must exceed the server's 60s shutdown timeout", stopTimeout)
	}
	args := strings.Fields(strings.NewReplacer("/var/lib/savepoint", filepath.Join(work, "storage"),
		"/etc/savepoint/tls/fullchain.pem", cert, "/etc/savepoint/tls/privkey.pem", key,
		"/etc/savepoint/passwords", filepath.Join(work, "passwords"), "0.0.0.0:8417", "127.0.0.1:0").Replace(exec0))
	if args[0] != "/usr/local/bin/savepoint" || args[1] != "serve" {
		t.Fatalf("ExecStart does not run savepoint serve: %s", exec0)
	}
	srv := serveArgs(t, bin, args[2:])
	if !strings.HasPrefix(srv.URL, "https://") {
		t.Errorf("the unit's server is not on TLS: %s", srv.URL)
	}
	job := newClient(t, srv, "app", srv.Token("app", "append"))
	job.env = []string{"SAVEPOINT_SERVER_CA_FILE=" + cert}
	job.ok("init")
	srv.Stop()
	if err := srv.Wait(time.Second); err != nil {
		t.Errorf("the server did not stop cleanly on SIGTERM: %v", err)
	}
}

// serveArgs starts `savepoint serve` with args (after "serve"), taking its
// --listen and --storage from them.
func serveArgs(t *testing.T, bin string, args []string) *testserver.Server {
	t.Helper()
	var o testserver.Options
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "--listen":
			i++
			o.Addr = args[i]
		case "--storage":
			i++
			o.Storage = args[i]
		default:
			o.Args = append(o.Args, args[i])
		}
	}
	return testserver.Start(t, o)
}

func TestDocContainer(t *testing.T) {
	bin := testserver.Binary(t)
	work := t.TempDir()
	hostData, hostEtc := filepath.Join(work, "srv"), filepath.Join(work, "etc")
	os.MkdirAll(filepath.Join(hostEtc, "tls"), 0o755)
	os.MkdirAll(filepath.Join(hostEtc, "passwords"), 0o700)
	cert, key := testserver.SelfSigned(t, filepath.Join(hostEtc, "tls"))
	os.Rename(cert, filepath.Join(hostEtc, "tls", "fullchain.pem"))
	os.Rename(key, filepath.Join(hostEtc, "tls", "privkey.pem"))
	cmds := strings.Split(strings.TrimSpace(strings.ReplaceAll(docBlocks(t, "Container image", "sh")[0], "\\\n", " ")), "\n")
	if len(cmds) != 2 {
		t.Fatalf("want the podman run and podman exec commands, got %q", cmds)
	}
	run := strings.Fields(cmds[0])
	if run[0] != "podman" || run[1] != "run" {
		t.Fatalf("first command: %s", cmds[0])
	}
	volumes := map[string]string{"/srv/savepoint": hostData, "/etc/savepoint": hostEtc}
	mounts := map[string]string{} // container path -> test path
	var image string
	var args []string
	for i := 2; i < len(run); i++ {
		switch a := run[i]; {
		case image != "":
			args = append(args, a)
		case a == "-v":
			i++
			parts := strings.Split(run[i], ":")
			mounts[parts[1]] = volumes[parts[0]]
		case a == "--name" || a == "-p":
			i++
		case strings.HasPrefix(a, "-"):
		default:
			image = a
		}
	}
	if image != "ghcr.io/savepoint-ci/savepoint:v1" {
		t.Errorf("the example runs image %s", image)
	}
	wf, _ := os.ReadFile(filepath.Join(doctest.Root(), ".github", "workflows", "image.yml"))
	df, _ := os.ReadFile(filepath.Join(doctest.Root(), "Dockerfile"))
	if !strings.Contains(string(wf), "ghcr.io/savepoint-ci/savepoint:${{ steps.version.outputs.major }}\n") ||
		!regexp.MustCompile(`(?s)AS minimal.*ENTRYPOINT \["/usr/local/bin/savepoint"\]`).Match(df) {
		t.Error("the image the example runs is not published with savepoint as its entrypoint")
	}
	inContainer := func(s string) string {
		for c, h := range mounts {
			s = strings.ReplaceAll(s, c, h)
		}
		return s
	}
	for i, a := range args {
		args[i] = strings.ReplaceAll(inContainer(a), "0.0.0.0:8417", "127.0.0.1:0")
	}
	if args[0] != "serve" {
		t.Fatalf("the container does not run serve: %v", args)
	}
	srv := serveArgs(t, bin, args[1:])
	exe := strings.Fields(cmds[1])
	if strings.Join(exe[:4], " ") != "podman exec savepoint savepoint" {
		t.Fatalf("second command: %s", cmds[1])
	}
	out, err := exec.Command(bin, strings.Fields(inContainer(strings.Join(exe[4:], " ")))...).Output()
	if err != nil {
		t.Fatalf("%s: %v", cmds[1], err)
	}
	job := newClient(t, srv, "app", strings.TrimSpace(string(out)))
	job.env = []string{"SAVEPOINT_SERVER_CA_FILE=" + filepath.Join(hostEtc, "tls", "fullchain.pem")}
	job.ok("init")
}

func TestDocTLSClient(t *testing.T) {
	bin := testserver.Binary(t)
	srv, ca := testserver.StartTLS(t, t.TempDir())
	initRepo2(t, srv, ca)
	work := t.TempDir()
	os.WriteFile(filepath.Join(work, "ci.token"), []byte(srv.Token("app", "append")+"\n"), 0o600)
	script := strings.NewReplacer(exampleURL, srv.URL, "/etc/ssl/certs/savepoint-ca.pem", ca).Replace(docBlocks(t, "TLS", "sh")[0])
	if out, err := runScript(t, bin, work, script, "SAVEPOINT_PASSWORD="+password); err != nil {
		t.Fatalf("the TLS client example failed: %v\n%s", err, out)
	}
}

// initRepo2 creates repository app on a TLS server.
func initRepo2(t *testing.T, srv *testserver.Server, ca string) {
	t.Helper()
	admin := newClient(t, srv, "app", srv.Token("app", "admin"))
	admin.env = []string{"SAVEPOINT_SERVER_CA_FILE=" + ca}
	admin.ok("init")
}

func TestDocSeveralServers(t *testing.T) {
	bin := testserver.Binary(t)
	m := testenv.RequireMinIO(t)
	work := t.TempDir()
	testrepo.WriteFile(t, work, "dist/app.js", []byte("v1"))
	p1, p2 := freePort(t), freePort(t)
	bucket := testenv.Unique("sp-doc-")
	script := strings.NewReplacer("AWS_ACCESS_KEY_ID=...", "AWS_ACCESS_KEY_ID="+m.AccessKey,
		"AWS_SECRET_ACCESS_KEY=...", "AWS_SECRET_ACCESS_KEY="+m.SecretKey,
		"https://s3.example.com", "http://"+m.Endpoint, "s3://backups/", "s3://"+bucket+"/",
		"8417", p1, "8418", p2).Replace(docBlocks(t, "Several servers", "sh")[0])
	tail := fmt.Sprintf(`
export SAVEPOINT_PASSWORD=%s AWS_REGION=us-east-1
savepoint --repo http://127.0.0.1:%s/app --token-file ci.token init
savepoint --repo http://127.0.0.1:%s/app --token-file ci.token save --name build dist
savepoint --repo http://127.0.0.1:%s/app --token-file ci.token restore --target out latest
`, password, p1, p2, p1)
	out, err := runScript(t, bin, work, script+tail)
	if err != nil {
		t.Fatalf("the several-servers example failed: %v\n%s", err, out)
	}
	if d := testrepo.Equal(t, filepath.Join(work, "dist"), filepath.Join(work, "out", "dist")); d != "" {
		t.Errorf("saved through one server, restored through the other: %s", d)
	}
}

// TestDocCIExamples: each CI example gives the token to its platform's
// savepoint entrypoint from the platform's secret store (a secret, a masked
// variable named in the component input, never the token itself) for the
// example server's repository. tests/engine runs the three examples in a
// container engine against a real server.
func TestDocCIExamples(t *testing.T) {
	repo := exampleURL + "/app"
	steps, err := doctest.ActionSteps(docBlocks(t, "GitHub Actions", "yaml")[0])
	if err != nil || len(steps) == 0 {
		t.Fatalf("GitHub: %d savepoint steps (%v)", len(steps), err)
	}
	for _, with := range steps {
		if bad, err := doctest.UndeclaredInputs(with); err != nil || len(bad) > 0 {
			t.Errorf("GitHub: inputs %v are not in action.yml (%v)", bad, err)
		}
		if with["repository"] != repo || with["server_token"] != "${{ secrets.SAVEPOINT_TOKEN }}" || with["token"] != "" {
			t.Errorf("GitHub: the step's inputs %v: want the example repository and server_token from a secret", with)
		}
	}

	includes, err := doctest.GitLabIncludes(docBlocks(t, "GitLab CI/CD", "yaml")[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, inc := range includes {
		name := inc.Name()
		declared, err := doctest.ComponentInputs(name)
		if err != nil {
			t.Fatalf("component %s: %v", name, err)
		}
		tok, _ := inc.Inputs["server_token"].(string)
		if rx := declared["server_token"].Regex; rx == "" || !regexp.MustCompile(rx).MatchString(tok) || tok != "$SAVEPOINT_CI_TOKEN" {
			t.Errorf("GitLab %s: server_token %q, want the masked variable $SAVEPOINT_CI_TOKEN (input regex %q)", name, tok, rx)
		}
		if inc.Inputs["repository"] != repo {
			t.Errorf("GitLab %s: repository %v", name, inc.Inputs["repository"])
		}
	}

	droneSteps, err := doctest.PipelineSteps(docBlocks(t, "Drone and Woodpecker", "yaml")[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range droneSteps {
		tok, _ := s.Settings["server_token"].(map[string]any)
		if s.Settings["repository"] != repo || tok["from_secret"] != "savepoint_token" {
			t.Errorf("Drone: step settings %v: want the example repository and server_token from_secret", s.Settings)
		}
	}
}

func TestDocMaintenance(t *testing.T) {
	bin := testserver.Binary(t)
	work := t.TempDir()
	pwdir := filepath.Join(work, "etc", "passwords")
	sh := docBlocks(t, "Maintenance on the server", "sh")
	service := docBlocks(t, "Maintenance on the server", "ini")[0]
	// The admin stores the password for the server.
	if out, err := runScript(t, bin, work, strings.ReplaceAll(sh[0], "/etc/savepoint/passwords", pwdir), "APP_PASSWORD="+password); err != nil {
		t.Fatalf("storing the password: %v\n%s", err, out)
	}
	srv, ca := testserver.StartTLS(t, t.TempDir(), "--password-dir", pwdir)
	initRepo2(t, srv, ca)
	job := newClient(t, srv, "app", srv.Token("app", "append"))
	job.env = []string{"SAVEPOINT_SERVER_CA_FILE=" + ca}
	t.Chdir(work)
	for i := 0; i < 3; i++ {
		testrepo.WriteFile(t, work, "src/f.bin", testrepo.Random(50<<10))
		job.ok("save", "--name", "build", "src")
	}
	os.WriteFile(filepath.Join(work, "admin.token"), []byte(srv.Token("app", "admin")), 0o600)
	// By hand, without a password.
	out, err := runScript(t, bin, work, strings.ReplaceAll(sh[1], exampleURL, srv.URL),
		"SAVEPOINT_SERVER_CA_FILE="+ca, "SAVEPOINT_PASSWORD=")
	if err != nil || strings.Count(out, "ran on the server, next to its storage") != 2 {
		t.Fatalf("forget and prune by hand: %v\n%s", err, out)
	}
	// The timer's service.
	var lines []string
	env := []string{"SAVEPOINT_SERVER_CA_FILE=" + ca, "SAVEPOINT_PASSWORD="}
	for _, kv := range unit(service) {
		v := strings.NewReplacer(exampleURL, srv.URL, "/etc/savepoint/admin.token", filepath.Join(work, "admin.token"),
			"/usr/local/bin/savepoint", "savepoint").Replace(kv[1])
		switch kv[0] {
		case "Environment":
			env = append(env, v)
		case "ExecStart":
			lines = append(lines, v)
		}
	}
	out, err = runScript(t, bin, work, strings.Join(lines, "\n"), env...)
	if err != nil || len(lines) != 2 || strings.Count(out, "ran on the server") != 2 {
		t.Fatalf("the maintenance service: %v\n%s", err, out)
	}
}
