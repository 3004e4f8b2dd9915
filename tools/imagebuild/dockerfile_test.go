package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestDockerfileMatches: the Dockerfile builds what imagebuild assembles:
// the same two targets, files, entrypoint, env, user and labels.
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
	if strings.Join(names, ",") != "build,shell,minimal" {
		t.Errorf("stages %v, want build, shell, minimal (minimal last: the default target, what `image: Dockerfile` builds)", names)
	}
	for _, want := range []string{
		"CGO_ENABLED=0", "-trimpath", `-ldflags "-s -w -X main.version=${VERSION}"`,
		"-o /out/savepoint .", "-o /out/savepoint-action ./actions", "ln -s savepoint-action /out/savepoint-action-post",
		"COPY --from=build /out/ /usr/local/bin/",
	} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	for _, stage := range strings.Split(df, "\nFROM ")[2:] {
		name := strings.Fields(stage)[2]
		for _, want := range []string{
			`ENTRYPOINT ["/usr/local/bin/savepoint"]`, "USER 0:0",
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
	}
}
