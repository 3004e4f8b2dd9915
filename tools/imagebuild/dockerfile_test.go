package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/doctest"
)

// TestDockerfileMatches: the Dockerfile builds what imagebuild assembles:
// the same three targets, files, entrypoint, env, user and labels. A
// target holds what it inherits from the stage it is built on (runtime).
func TestDockerfileMatches(t *testing.T) {
	b, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	stages := regexp.MustCompile(`(?m)^FROM .* AS (\w+)$`).FindAllStringSubmatch(df, -1)
	var names []string
	for _, s := range stages {
		names = append(names, s[1])
	}
	if strings.Join(names, ",") != "build,runtime,shell,plugin,minimal" {
		t.Errorf("stages %v, want build, runtime, shell, plugin, minimal (minimal last: the default target, what `image: Dockerfile` builds)", names)
	}
	for _, want := range []string{
		"CGO_ENABLED=0", "-trimpath", `-ldflags "-s -w -X main.version=${VERSION}"`,
		"-o /out/savepoint .", "-o /out/savepoint-action ./actions", "ln -s savepoint-action /out/savepoint-action-post",
		"COPY --from=build /out/ /usr/local/bin/", "-o /plugin/savepoint-plugin ./drone",
	} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	text := map[string]string{} // a stage's lines with those of the stages below it
	for _, stage := range strings.Split(df, "\nFROM ")[1:] {
		f := strings.Fields(stage)
		text[f[2]] = text[f[0]] + stage
	}
	for _, name := range []string{variantShell, variantPlugin, variantMinimal} {
		stage := text[name]
		entry := "savepoint"
		if name == variantPlugin {
			entry = "savepoint-plugin"
		}
		for _, want := range []string{
			`ENTRYPOINT ["/usr/local/bin/` + entry + `"]`, "USER 0:0",
			"PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "SSL_CERT_FILE=/" + caBundlePath,
		} {
			if !strings.Contains(stage, want) {
				t.Errorf("stage %s lacks %q", name, want)
			}
		}
		for k := range labels(options{source: "s", revision: "r"}, name) {
			if k != "org.opencontainers.image.created" && !strings.Contains(stage, k+"=") {
				t.Errorf("stage %s lacks label %s", name, k)
			}
		}
		if !strings.Contains(stage, "("+name+" image)") {
			t.Errorf("stage %s does not describe itself as the %s image", name, name)
		}
	}
}

// TestReleaseWorkflow: the workflow that publishes the images builds the
// Dockerfile targets for both platforms under the name the GitLab
// components run (and the docs give).
func TestReleaseWorkflow(t *testing.T) {
	b, err := os.ReadFile("../../.github/workflows/image.yml")
	if err != nil {
		t.Fatal(err)
	}
	steps, err := doctest.WorkflowSteps(string(b))
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := os.ReadFile("../../gitlab/templates/save.yml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`default: ([^:\s]+):(v\d+)-shell`).FindStringSubmatch(string(tpl))
	if m == nil {
		t.Fatalf("the save component runs no IMAGE:vN-shell by default")
	}
	targets := map[string]bool{}
	for _, s := range steps {
		if !strings.HasPrefix(s.Uses, "docker/build-push-action@") {
			continue
		}
		targets[s.With["target"]] = true
		if s.With["platforms"] != "linux/amd64,linux/arm64" {
			t.Errorf("target %s platforms %q", s.With["target"], s.With["platforms"])
		}
		name := m[1]
		if s.With["target"] == variantPlugin {
			name += "-plugin" // the name drone/docs.md and drone/content.yaml give
		}
		if !strings.Contains(s.With["tags"], name+":${{ steps.version.outputs.major }}") {
			t.Errorf("target %s tags %q do not publish %s:vN", s.With["target"], s.With["tags"], name)
		}
	}
	if !targets[variantMinimal] || !targets[variantShell] || !targets[variantPlugin] {
		t.Errorf("targets built: %v", targets)
	}
}
