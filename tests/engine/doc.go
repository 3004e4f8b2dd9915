// Package engine runs savepoint's published images in a real container
// engine, the way the CI platforms run them: the GitHub Action's workflows
// under act, the GitLab components under gitlab-ci-local's docker executor,
// and the Drone/Woodpecker plugin image as their docker runners start
// plugins. The engine is podman serving the Docker API, started by
// scripts/services/engine.sh (which loads the images `make image` built
// under the names users pull, and builds act's runner image with node,
// pg_dump and psql); repositories live in the MinIO server, the registry or
// a `savepoint serve` process the tests start, and databases in the
// PostgreSQL server the other services start.
//
// The tests drive the images only through their documented interfaces
// (entrypoints, inputs, settings, variables, outputs, exit codes), and the
// workflows and pipelines they run are read from the docs
// (docs/github.md, README.md, gitlab/README.md, drone/docs.md,
// docs/server.md), so the docs show
// exactly what runs.
package engine
