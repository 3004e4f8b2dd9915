package cluster

import (
	"crypto/rand"
	"encoding/hex"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/savepoint-ci/savepoint/core/storage/s3"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/testenv"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// cluster is the four-node MinIO that scripts/services/s3-cluster.sh runs.
type cluster struct {
	endpoints      []string // host:port of nodes 1..4, index 0 is node 1
	access, secret string
	ctl            string // the script, for stop-node and start-node
}

func requireCluster(t *testing.T) *cluster {
	t.Helper()
	c := &cluster{
		endpoints: strings.Split(testenv.Require(t, "SAVEPOINT_TEST_S3_CLUSTER_ENDPOINTS"), ","),
		access:    testenv.Require(t, "SAVEPOINT_TEST_S3_CLUSTER_ACCESS_KEY"),
		secret:    testenv.Require(t, "SAVEPOINT_TEST_S3_CLUSTER_SECRET_KEY"),
		ctl:       testenv.Require(t, "SAVEPOINT_TEST_S3_CLUSTER_CTL"),
	}
	if len(c.endpoints) != 4 {
		t.Fatalf("SAVEPOINT_TEST_S3_CLUSTER_ENDPOINTS lists %d nodes, want 4", len(c.endpoints))
	}
	return c
}

// endpoint returns host:port of node n (1-4).
func (c *cluster) endpoint(n int) string { return c.endpoints[n-1] }

// nodes runs the script's stop-node or start-node for nodes ns.
func (c *cluster) nodes(t *testing.T, verb string, ns ...int) {
	t.Helper()
	args := []string{c.ctl, verb}
	for _, n := range ns {
		args = append(args, strconv.Itoa(n))
	}
	out, err := exec.Command("bash", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("s3-cluster.sh %s %v: %v\n%s", verb, ns, err, out)
	}
}

// stopNodes kills nodes ns (SIGKILL) and returns when they are gone. The
// nodes are started again when the test ends, so a failing test leaves
// the cluster whole for the next one.
func (c *cluster) stopNodes(t *testing.T, ns ...int) time.Time {
	t.Helper()
	c.nodes(t, "stop-node", ns...)
	t.Cleanup(func() { c.nodes(t, "start-node", ns...) })
	return time.Now()
}

// startNodes starts nodes ns again and waits until every running node
// accepts writes (or, with fewer than three running, until they answer);
// it returns when it was done.
func (c *cluster) startNodes(t *testing.T, ns ...int) time.Time {
	t.Helper()
	c.nodes(t, "start-node", ns...)
	return time.Now()
}

// bucket returns a fresh bucket name.
func bucket() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "sp-cluster-" + hex.EncodeToString(b)
}

// options returns backend options for bucket through node n.
func (c *cluster) options(n int, bucket string) s3.Options {
	return s3.Options{
		Bucket:      bucket,
		Prefix:      "repo",
		Endpoint:    c.endpoint(n),
		Insecure:    true,
		PathStyle:   true,
		Credentials: credentials.NewStaticV4(c.access, c.secret, ""),
	}
}

// backend opens bucket through node n, creating it if needed.
func (c *cluster) backend(t *testing.T, n int, bucket string) *s3.Backend {
	t.Helper()
	b, err := s3.New(c.options(n, bucket))
	return storagetest.Created(t, b, err)
}

// repo makes a fresh bucket holding an initialised test repository (cheap
// key derivation, small chunks and packs) and returns its name and a
// backend through node 1.
func (c *cluster) repo(t *testing.T) (string, *s3.Backend) {
	t.Helper()
	name := bucket()
	be := c.backend(t, 1, name)
	if _, err := testrepo.Init(t, be); err != nil {
		t.Fatal(err)
	}
	return name, be
}
