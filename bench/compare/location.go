//go:build unix

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
	name   string
	s3     *minioServer // minio: a MinIO behind a request-counting proxy
	server *benchServer // server: savepoint serve in front of a local directory
	// requests counts the backend requests of every tool alike (nil: the
	// harness cannot see them; savepoint then reports its own).
	requests *requestCounter
}

// locationEnv is what a location may need to start: the run's work
// directory and the tools' binaries (-bin, else the defaults).
type locationEnv struct {
	work   string
	binary func(tool string) (string, error)
}

// place is one entry of the registry below: start sets the location up
// and returns the function that tears it down. tools, if set, are the
// tools a run there takes when -tools is not given (else every tool).
type place struct {
	name, doc string
	tools     []string
	start     func(ctx context.Context, env locationEnv) (*location, func(), error)
}

// locations is every location the harness knows.
var locations = []place{
	{name: "local", doc: "local directories in the work directory", start: func(context.Context, locationEnv) (*location, func(), error) {
		return &location{name: "local"}, func() {}, nil
	}},
	{name: "minio", doc: "a MinIO started by scripts/services/minio.sh, one bucket per tool", start: startMinioLocation},
	{name: "server", doc: "savepoint serve on loopback in front of a local directory, for savepoint-server; the other tools on local directories as at local",
		tools: []string{"savepoint", "savepoint-server"}, start: startServerLocation},
}

func placeByName(name string) (place, error) {
	for _, l := range locations {
		if l.name == name {
			return l, nil
		}
	}
	return place{}, fmt.Errorf("unknown location %q (have %s)", name, strings.Join(locationNames(), ", "))
}

func startMinioLocation(ctx context.Context, _ locationEnv) (*location, func(), error) {
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

func startServerLocation(ctx context.Context, env locationEnv) (*location, func(), error) {
	bin, err := env.binary("savepoint")
	if err != nil {
		return nil, nil, err
	}
	srv, stop, err := startServer(ctx, bin, env.work)
	if err != nil {
		return nil, nil, err
	}
	return &location{name: "server", server: srv}, stop, nil
}

func locationNames() []string {
	var names []string
	for _, l := range locations {
		names = append(names, l.name)
	}
	return names
}
