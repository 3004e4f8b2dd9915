package prune_test

import (
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
)

type repositoryT = repository.Repository

func openRepo(be storage.Backend) (*repository.Repository, error) {
	return repository.Open(ctx, be, repository.OpenOptions{Password: "test-password"})
}
