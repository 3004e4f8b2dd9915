package main

import (
	"context"
	"fmt"
	"strings"
)

// location is where the repositories live for one run. Each runner reads
// the field of its kind and returns errUnsupported from Init when it has
// none for the location.
type location struct {
	name string
	s3   *minioServer // minio: a MinIO behind a request-counting proxy
	// requests counts the backend requests of every tool alike (nil: the
	// harness cannot see them; savepoint then reports its own).
	requests *requestCounter
}

// locations is every location the harness knows; start sets one up and
// returns the function that tears it down.
var locations = []struct {
	name, doc string
	start     func(ctx context.Context) (*location, func(), error)
}{
	{"local", "local directories in the work directory", func(context.Context) (*location, func(), error) {
		return &location{name: "local"}, func() {}, nil
	}},
	{"minio", "a MinIO started by scripts/services/minio.sh, one bucket per tool", startMinioLocation},
}

func startLocation(ctx context.Context, name string) (*location, func(), error) {
	var names []string
	for _, l := range locations {
		if l.name == name {
			return l.start(ctx)
		}
		names = append(names, l.name)
	}
	return nil, nil, fmt.Errorf("unknown location %q (have %s)", name, strings.Join(names, ", "))
}

func startMinioLocation(ctx context.Context) (*location, func(), error) {
	s3, stop, err := startMinio(ctx)
	if err != nil {
		return nil, nil, err
	}
	counter, addr, closeProxy, err := startCountingProxy(s3.endpoint)
	if err != nil {
		stop()
		return nil, nil, err
	}
	s3.direct, s3.endpoint = s3.endpoint, addr
	return &location{name: "minio", s3: s3, requests: counter}, func() { closeProxy(); stop() }, nil
}
