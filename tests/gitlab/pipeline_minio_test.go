package gitlab

import (
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/internal/testenv"
)

// TestPipelineMinIORepository runs the project pipeline against a bucket
// on the MinIO server of scripts/services/minio.sh; the save job's init
// creates the bucket.
func TestPipelineMinIORepository(t *testing.T) {
	m := testenv.RequireMinIO(t)
	endpoint, accessKey, secretKey := m.Endpoint, m.AccessKey, m.SecretKey
	url := "s3://" + testenv.Unique("savepoint-gitlab-") + "/ci"
	vars := map[string]string{
		"SAVEPOINT_TEST_REPOSITORY": url,
		"SAVEPOINT_S3_ENDPOINT":     endpoint,
		"SAVEPOINT_S3_INSECURE":     "true",
		"AWS_ACCESS_KEY_ID":         accessKey,
		"AWS_SECRET_ACCESS_KEY":     secretKey,
		"AWS_REGION":                "us-east-1",
	}
	run := runPipeline(t, vars)
	if strings.Contains(run.output, secretKey) {
		t.Errorf("the S3 secret key appears in the pipeline output")
	}
	checkRun(t, run)
	checkRepository(t, run, url, func(k string) string { return vars[k] })
}
