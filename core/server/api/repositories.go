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

type repositoryList struct {
	Body []service.Repository
}

type repositoryStats struct {
	Body service.RepositoryStats
}

func (a *api) repositories(h huma.API) {
	huma.Register(h, huma.Operation{OperationID: "list-repositories", Method: http.MethodGet, Path: Prefix + "/repositories",
		Summary: "List the repositories the token covers, with what the server sees of them", Tags: []string{"repositories"}},
		func(ctx context.Context, _ *struct{}) (*repositoryList, error) {
			tok := token(ctx)
			if err := a.allow(ctx, tok.Repo, tokens.RoleRead, "listing repositories"); err != nil {
				return nil, err
			}
			list, err := a.s.Repositories(ctx)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &repositoryList{Body: []service.Repository{}}
			for _, r := range list {
				if tok.Covers(r.Name) {
					out.Body = append(out.Body, r)
				}
			}
			return out, nil
		})
	huma.Register(h, huma.Operation{OperationID: "get-repository", Method: http.MethodGet, Path: Prefix + "/repositories/{name}",
		Summary: "A repository's figures: objects, stored bytes, last write; with the server-held password also snapshots, logical bytes and the dedup ratio",
		Tags:    []string{"repositories"}},
		func(ctx context.Context, in *RepoParam) (*repositoryStats, error) {
			if err := a.allow(ctx, in.Name, tokens.RoleRead, "reading a repository"); err != nil {
				return nil, err
			}
			st, err := a.s.Stats(ctx, in.Name)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &repositoryStats{Body: st}, nil
		})
}
