package main

import (
	"testing"

	"github.com/savepoint-ci/savepoint/internal/testenv"
)

// TestContractMinIO runs the contract against a real MinIO server (started
// by scripts/services/minio.sh): the first save creates the bucket and the
// repository; keys travel as masked inputs.
func TestContractMinIO(t *testing.T) {
	m := testenv.RequireMinIO(t)
	endpoint, access, secret := m.Endpoint, m.AccessKey, m.SecretKey
	contract(t, "s3://"+testenv.Unique("savepoint-action-")+"/ci", map[string]string{
		"s3_endpoint":          endpoint,
		"s3_region":            "us-east-1",
		"s3_access_key_id":     access,
		"s3_secret_access_key": secret,
		"s3_path_style":        "true",
		"s3_insecure":          "true",
	}, access, secret)
}
