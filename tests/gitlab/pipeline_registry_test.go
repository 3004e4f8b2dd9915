package gitlab

import (
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/testenv"
)

// TestPipelineRegistryDefault runs the project pipeline the way GitLab
// does by default: the repository is oci://$CI_REGISTRY_IMAGE/savepoints-test
// in the project's container registry (here the registry of
// scripts/services/registry.sh), with the CI_REGISTRY_* variables a GitLab
// job gets.
func TestPipelineRegistryDefault(t *testing.T) {
	registry := testenv.Require(t, "SAVEPOINT_TEST_REGISTRY")
	vars := map[string]string{
		"CI_REGISTRY":          registry,
		"CI_REGISTRY_IMAGE":    registry + "/" + projectPath,
		"CI_REGISTRY_USER":     "gitlab-ci-token",
		"CI_REGISTRY_PASSWORD": "job-token-of-the-test",
	}
	run := runPipeline(t, vars)
	if strings.Contains(run.output, vars["CI_REGISTRY_PASSWORD"]) {
		t.Errorf("the registry password appears in the pipeline output")
	}
	checkRun(t, run)
	checkRepository(t, run, "oci://"+registry+"/"+projectPath+"/savepoints-test", func(k string) string { return vars[k] })
}
