package copytest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage/remote"
	"github.com/savepoint-ci/savepoint/internal/doctest"
	"github.com/savepoint-ci/savepoint/internal/testkdf"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
	"github.com/savepoint-ci/savepoint/internal/testserver"
)

// docBlocks returns the fenced blocks of docs/copy.md in lang under a
// heading that starts with heading.
func docBlocks(t *testing.T, heading, lang string) []string {
	t.Helper()
	return doctest.Under(t, "docs/copy.md", heading, lang)
}

// bash runs a script in dir with the test's savepoint first on PATH.
func bash(t *testing.T, bin, dir, script string, env ...string) string {
	t.Helper()
	cmd := exec.Command("bash", "-c", "set -eu\n"+script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(bin)+":"+os.Getenv("PATH"), "SAVEPOINT_QUIET=1")
	cmd.Env = append(cmd.Env, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s\n%s", err, script, out.String())
	}
	return out.String()
}

// ciJob is a job of the CI example.
type ciJob struct {
	Variables map[string]string
	Script    []string
	Rules     []struct{ If string }
}

// TestDocTwoSites runs docs/copy.md with two real servers in place of the
// near and far sites: the token set-up on each host, the CI example's
// build job twice (pushes) and its copy job after each (the schedule),
// then the proof: with the near server stopped, the far site verifies and
// restores the newest build byte-identical.
func TestDocTwoSites(t *testing.T) {
	bin := testserver.Binary(t)
	near := testserver.Start(t, testserver.Options{})
	far := testserver.Start(t, testserver.Options{})
	work := t.TempDir()
	urls := strings.NewReplacer("https://backup-near.example.com:8417", near.URL, "https://backup-far.example.com:8417", far.URL,
		"/tmp/restored", filepath.Join(work, "restored"))

	setup := docBlocks(t, "Two sites", "sh")
	if len(setup) != 2 {
		t.Fatalf("%d set-up blocks, want the near host's and the far host's", len(setup))
	}
	bash(t, bin, work, strings.ReplaceAll(setup[0], "/srv/savepoint", near.Storage))
	// The near site exists already: the CI jobs save to it.
	testkdf.Cheap()
	be, err := remote.New(remote.Options{URL: near.Repo("app"), Token: near.Token("app", "admin")})
	if err != nil {
		t.Fatal(err)
	}
	repo, err := repository.Init(ctx, be, repository.InitOptions{Password: "near-site-password", Chunker: testrepo.SmallChunks, PackSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	repo.Close()
	bash(t, bin, work, urls.Replace(strings.ReplaceAll(setup[1], "/srv/savepoint", far.Storage)))

	var ci struct {
		Variables map[string]string
		Build     ciJob `yaml:"build"`
		Copy      ciJob `yaml:"copy-to-far"`
	}
	if err := yaml.Unmarshal([]byte(docBlocks(t, "CI: save to the near site", "yaml")[0]), &ci); err != nil {
		t.Fatal(err)
	}
	if len(ci.Build.Rules) != 1 || !strings.Contains(ci.Build.Rules[0].If, `"push"`) ||
		len(ci.Copy.Rules) != 1 || !strings.Contains(ci.Copy.Rules[0].If, `"schedule"`) {
		t.Fatalf("the build job runs on pushes and the copy on the schedule: %+v %+v", ci.Build.Rules, ci.Copy.Rules)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(work, name))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	// The project's masked CI/CD variables, as the page lists them.
	project := map[string]string{
		"NEAR_CI_TOKEN": read("ci.token"), "NEAR_READ_TOKEN": read("near-read.token"),
		"FAR_APPEND_TOKEN": read("far-append.token"),
		"NEAR_PASSWORD":    "near-site-password", "FAR_PASSWORD": "far-site-password",
	}
	run := func(job ciJob) {
		t.Helper()
		var env []string
		for k, v := range ci.Variables {
			env = append(env, k+"="+urls.Replace(v))
		}
		for k, v := range job.Variables {
			env = append(env, k+"="+os.Expand(v, func(k string) string { return project[k] }))
		}
		bash(t, bin, work, strings.Join(job.Script, "\n"), env...)
	}
	os.WriteFile(filepath.Join(work, "build.sh"), []byte("mkdir -p dist && cat version > dist/version && cp big.bin dist/\n"), 0o644)
	os.WriteFile(filepath.Join(work, "big.bin"), testrepo.Random(2<<20), 0o644)
	for i, v := range []string{"v1", "v2"} {
		os.WriteFile(filepath.Join(work, "version"), []byte(v), 0o644)
		run(ci.Build)
		run(ci.Copy)
		out := bash(t, bin, work, "savepoint --json snapshots --name dist", "SAVEPOINT_REPOSITORY="+far.Repo("app"),
			"SAVEPOINT_PASSWORD=far-site-password", "SAVEPOINT_TOKEN="+project["FAR_APPEND_TOKEN"])
		if n := strings.Count(out, `"original"`); n != i+1 {
			t.Fatalf("after night %d the far site holds %d copies:\n%s", i+1, n, out)
		}
	}

	near.Stop()
	bash(t, bin, work, urls.Replace(docBlocks(t, "Proving the far copy", "sh")[0]))
	if d := testrepo.Equal(t, filepath.Join(work, "dist"), filepath.Join(work, "restored", "dist")); d != "" {
		t.Fatalf("the far site's restore differs: %s", d)
	}
}
