//go:build unix

package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// minioServer is a MinIO started with scripts/services/minio.sh.
type minioServer struct {
	endpoint string // what the tools talk to: the counting proxy
	direct   string // MinIO itself
	access   string
	secret   string
	data     string // its data directory: one subdirectory per bucket
}

func (m *minioServer) env() []string {
	return []string{"AWS_ACCESS_KEY_ID=" + m.access, "AWS_SECRET_ACCESS_KEY=" + m.secret, "AWS_REGION=us-east-1"}
}

// bucketDir is where MinIO keeps the objects under bucket/prefix on disk.
func (m *minioServer) bucketDir(bucket, prefix string) string {
	return filepath.Join(m.data, bucket, prefix)
}

// makeBucket creates a bucket unless it exists (for tools that do not
// create their own).
func (m *minioServer) makeBucket(ctx context.Context, bucket string) error {
	c, err := minio.New(m.direct, &minio.Options{Creds: credentials.NewStaticV4(m.access, m.secret, "")})
	if err != nil {
		return err
	}
	if ok, err := c.BucketExists(ctx, bucket); err != nil || ok {
		return err
	}
	return c.MakeBucket(ctx, bucket, minio.MakeBucketOptions{Region: "us-east-1"})
}

// startMinio starts MinIO through the service script (run from the
// repository root) and returns it with the function that stops it.
func startMinio(ctx context.Context) (*minioServer, func(), error) {
	env, err := os.CreateTemp("", "bench-minio-env-")
	if err != nil {
		return nil, nil, err
	}
	env.Close()
	defer os.Remove(env.Name())
	script := filepath.Join("scripts", "services", "minio.sh")
	stop := func() { exec.Command("bash", script, "stop").Run() }
	cmd := exec.CommandContext(ctx, "bash", script, "start", env.Name())
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, nil, fmt.Errorf("starting MinIO with %s: %v", script, err)
	}
	m := &minioServer{}
	f, err := os.Open(env.Name())
	if err != nil {
		stop()
		return nil, nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		switch k {
		case "SAVEPOINT_TEST_S3_ENDPOINT":
			m.endpoint, m.direct = v, v
		case "SAVEPOINT_TEST_S3_ACCESS_KEY":
			m.access = v
		case "SAVEPOINT_TEST_S3_SECRET_KEY":
			m.secret = v
		}
	}
	dir, err := os.ReadFile(filepath.Join(".tools", "run", "minio.dir"))
	if err != nil || m.endpoint == "" {
		stop()
		return nil, nil, fmt.Errorf("MinIO started but its address or data directory is unknown")
	}
	m.data = filepath.Join(strings.TrimSpace(string(dir)), "data")
	return m, stop, nil
}
