package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/savepoint-ci/savepoint/core/server/service"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
)

// RepoParam is the path parameter naming a repository (exported: huma
// reads the fields of embedded structs only when their type is).
type RepoParam struct {
	Name string `path:"name" doc:"Repository name"`
}

type repositoryList = reply[[]service.Repository]
type repositoryStats = reply[service.RepositoryStats]

func (a *api) repositories(h huma.API) {
	huma.Register(h, huma.Operation{OperationID: "list-repositories", Method: http.MethodGet, Path: Prefix + "/repositories",
		Summary: "List the repositories the token covers, with what the server sees of them", Tags: []string{"repositories"}},
		func(ctx context.Context, _ *struct{}) (*repositoryList, error) {
			tok := token(ctx)
			return answer(ctx, a, tok.Repo, tokens.RoleRead, "listing repositories", func() ([]service.Repository, error) {
				list, err := a.s.Repositories(ctx)
				covered := []service.Repository{}
				for _, r := range list {
					if tok.Covers(r.Name) {
						covered = append(covered, r)
					}
				}
				return covered, err
			})
		})
	huma.Register(h, huma.Operation{OperationID: "get-repository", Method: http.MethodGet, Path: Prefix + "/repositories/{name}",
		Summary: "A repository's figures: objects, stored bytes, last write; with the server-held password also snapshots, logical bytes and the dedup ratio",
		Tags:    []string{"repositories"}},
		func(ctx context.Context, in *RepoParam) (*repositoryStats, error) {
			return answer(ctx, a, in.Name, tokens.RoleRead, "reading a repository", func() (service.RepositoryStats, error) {
				return a.s.Stats(ctx, in.Name)
			})
		})
}
