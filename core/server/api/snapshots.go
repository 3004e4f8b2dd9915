package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/savepoint-ci/savepoint/core/server/service"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/tree"
)

type snapshotListInput struct {
	RepoParam
	SnapshotName string   `query:"name" doc:"Only snapshots with this name"`
	Tags         []string `query:"tag,explode" doc:"Only snapshots with every one of these tags"`
	Branch       string   `query:"branch" doc:"Only snapshots taken on this branch"`
	Commit       string   `query:"commit" doc:"Only snapshots taken at this commit (a prefix is enough)"`
	Environment  string   `query:"environment" doc:"Only snapshots taken for this deploy environment"`
	Checkpoints  bool     `query:"checkpoints" doc:"Only checkpoints"`
}

// SnapshotParam names a snapshot of a repository in the path.
type SnapshotParam struct {
	RepoParam
	ID string `path:"id" doc:"An ID prefix (4 characters at least), latest or NAME:latest"`
}

type treeInput struct {
	SnapshotParam
	Path string `query:"path" doc:"The directory to list (default: the top)"`
}

type diffInput struct {
	RepoParam
	From string `query:"from" required:"true" doc:"The older snapshot (a reference as for get-snapshot)"`
	To   string `query:"to" required:"true" doc:"The newer snapshot"`
}

type snapshotList = reply[[]snapshot.Summary]
type snapshotOne = reply[snapshot.Summary]
type treeList = reply[[]service.TreeEntry]
type diffList = reply[[]tree.Change]

func (a *api) snapshots(h huma.API) {
	tags := []string{"snapshots"}
	huma.Register(h, huma.Operation{OperationID: "list-snapshots", Method: http.MethodGet, Path: Prefix + "/repositories/{name}/snapshots",
		Summary: "List snapshots, oldest first, filtered by name, tag, branch, commit, environment", Tags: tags},
		func(ctx context.Context, in *snapshotListInput) (*snapshotList, error) {
			return answer(ctx, a, in.Name, tokens.RoleRead, "listing snapshots", func() ([]snapshot.Summary, error) {
				return a.s.Snapshots(ctx, in.Name, service.Filter{Name: in.SnapshotName, Tags: in.Tags, Branch: in.Branch,
					Commit: in.Commit, Environment: in.Environment, Checkpoints: in.Checkpoints})
			})
		})
	huma.Register(h, huma.Operation{OperationID: "get-snapshot", Method: http.MethodGet, Path: Prefix + "/repositories/{name}/snapshots/{id}",
		Summary: "One snapshot with its provenance and stats", Tags: tags},
		func(ctx context.Context, in *SnapshotParam) (*snapshotOne, error) {
			return answer(ctx, a, in.Name, tokens.RoleRead, "reading a snapshot", func() (snapshot.Summary, error) {
				return a.s.Snapshot(ctx, in.Name, in.ID)
			})
		})
	huma.Register(h, huma.Operation{OperationID: "list-snapshot-tree", Method: http.MethodGet, Path: Prefix + "/repositories/{name}/snapshots/{id}/tree",
		Summary: "List one directory of a snapshot's files, with sizes", Tags: tags},
		func(ctx context.Context, in *treeInput) (*treeList, error) {
			return answer(ctx, a, in.Name, tokens.RoleRead, "listing a snapshot's files", func() ([]service.TreeEntry, error) {
				return a.s.Tree(ctx, in.Name, in.ID, in.Path)
			})
		})
	huma.Register(h, huma.Operation{OperationID: "diff-snapshots", Method: http.MethodGet, Path: Prefix + "/repositories/{name}/diff",
		Summary: "What changed between two snapshots: + added, - removed, M modified, m metadata only", Tags: tags},
		func(ctx context.Context, in *diffInput) (*diffList, error) {
			return answer(ctx, a, in.Name, tokens.RoleRead, "diffing snapshots", func() ([]tree.Change, error) {
				return a.s.Diff(ctx, in.Name, in.From, in.To)
			})
		})
}
