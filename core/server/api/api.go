// Package api is the server's management API: versioned JSON under
// /api/v1, described by an OpenAPI 3.1 document at /api/v1/openapi.json
// that huma generates from the handlers' Go types, plus the health checks
// /healthz and /readyz. Handlers check the bearer token (the same tokens
// and roles as the storage protocol: read sees, admin starts and cancels
// jobs and manages schedules and tokens) and call package service.
// Mount attaches every route to the server's router (server.Mux).
package api

import (
	"context"
	"log/slog"
	"net/http"
	"path"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/savepoint-ci/savepoint/core/server"
	"github.com/savepoint-ci/savepoint/core/server/service"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
)

// Prefix is the path of the API's version 1.
const Prefix = "/api/v1"

// OpenAPIPath is where the OpenAPI 3.1 document is served.
const OpenAPIPath = Prefix + "/openapi.json"

// Options configure the API.
type Options struct {
	Service *service.Service
	Version string       // the server's version, in the document
	Logger  *slog.Logger // nil: discard
}

type api struct {
	s   *service.Service
	h   huma.API
	log *slog.Logger
}

// Mount adds the API's routes to mux and returns the huma API (its
// OpenAPI document is api.OpenAPI()).
func Mount(mux *http.ServeMux, o Options) huma.API {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	cfg := huma.DefaultConfig("savepoint server", "1")
	cfg.Components.Schemas = huma.NewMapRegistry("#/components/schemas/", schemaName)
	cfg.Info.Description = "Management API of `savepoint serve`: repositories, snapshots, background jobs, schedules and tokens (docs/server.md). Server version " + o.Version + "."
	cfg.OpenAPIPath = Prefix + "/openapi"
	cfg.DocsPath = ""    // the docs page loads scripts from a CDN: the server works offline
	cfg.SchemasPath = "" // schemas are in the document
	cfg.CreateHooks = nil
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "A token from 'savepoint token create' (spt_ID_SECRET)"},
	}
	cfg.Security = []map[string][]string{{"bearer": {}}}
	h := humago.New(mux, cfg)
	a := &api{s: o.Service, h: h, log: o.Logger}
	h.UseMiddleware(a.authenticate)
	a.health(h)
	a.repositories(h)
	a.snapshots(h)
	a.jobs(h)
	a.schedules(h)
	a.tokens(h)
	return h
}

type tokenKey struct{}

// public marks operations that need no token.
const public = "public"

// authenticate checks the bearer token of every operation but the public
// ones and puts it in the context; it answers 401 itself.
func (a *api) authenticate(ctx huma.Context, next func(huma.Context)) {
	r, _ := humago.Unwrap(ctx)
	ctx = huma.WithValue(ctx, requestKey{}, r)
	if ctx.Operation().Metadata[public] == true {
		next(ctx)
		return
	}
	bearer, _ := strings.CutPrefix(ctx.Header("Authorization"), "Bearer ")
	tok, err := a.s.Authenticate(ctx.Context(), strings.TrimSpace(bearer))
	if err != nil {
		status, msg := a.status(r.Context(), r, err)
		huma.WriteErr(a.h, ctx, status, msg)
		return
	}
	server.NoteToken(r, tok.ID, string(tok.Role))
	next(huma.WithValue(ctx, tokenKey{}, tok))
}

// token is the request's checked token.
func token(ctx context.Context) tokens.Token {
	t, _ := ctx.Value(tokenKey{}).(tokens.Token)
	return t
}

// allow checks the request's token against repo and need (service.Allow)
// and returns the error to answer with.
func (a *api) allow(ctx context.Context, repo string, need tokens.Role, what string) error {
	if err := service.Allow(token(ctx), repo, need, what); err != nil {
		return a.fail(ctx, err)
	}
	return nil
}

// reply is an operation's answer: its body is B.
type reply[B any] struct{ Body B }

// answer serves an operation on repository repo: the request's token
// needs role need there (what: what the operation does, for a refusal),
// then do makes the answer's body; its error is answered as every error
// of the API is (fail).
func answer[B any](ctx context.Context, a *api, repo string, need tokens.Role, what string, do func() (B, error)) (*reply[B], error) {
	if err := a.allow(ctx, repo, need, what); err != nil {
		return nil, err
	}
	body, err := do()
	if err != nil {
		return nil, a.fail(ctx, err)
	}
	return &reply[B]{Body: body}, nil
}

// byID serves an operation on item id of a collection (a job, a
// schedule): get reads it, and the token needs role need on its
// repository (repo); then do makes the answer's body, the item itself when
// do is nil. An unknown id is answered as get's error is (fail).
func byID[T any](ctx context.Context, a *api, id string, get func(context.Context, string) (T, error), repo func(T) string,
	need tokens.Role, what string, do func() (T, error)) (*reply[T], error) {
	item, err := get(ctx, id)
	if err != nil {
		return nil, a.fail(ctx, err)
	}
	if do == nil {
		do = func() (T, error) { return item, nil }
	}
	return answer(ctx, a, repo(item), need, what, do)
}

// listings registers the two listings of a collection ("jobs",
// "schedules"): a repository's, GET /repositories/{name}/COLLECTION, and
// that of the repositories the token covers, GET /COLLECTION. list lists
// repository repo's items, every repository's when repo is empty.
func listings[T any](h huma.API, a *api, collection, repoSummary, coveredSummary string, list func(ctx context.Context, repo string) ([]T, error)) {
	tags := []string{collection}
	what := "listing " + collection
	huma.Register(h, huma.Operation{OperationID: "list-repository-" + collection, Method: http.MethodGet, Path: Prefix + "/repositories/{name}/" + collection,
		Summary: repoSummary, Tags: tags},
		func(ctx context.Context, in *RepoParam) (*reply[[]T], error) {
			return answer(ctx, a, in.Name, tokens.RoleRead, what, func() ([]T, error) { return list(ctx, in.Name) })
		})
	huma.Register(h, huma.Operation{OperationID: "list-" + collection, Method: http.MethodGet, Path: Prefix + "/" + collection,
		Summary: coveredSummary, Tags: tags},
		func(ctx context.Context, _ *struct{}) (*reply[[]T], error) {
			tok := token(ctx)
			repo := tok.Repo
			if repo == tokens.AllRepos {
				repo = ""
			}
			return answer(ctx, a, tok.Repo, tokens.RoleRead, what, func() ([]T, error) { return list(ctx, repo) })
		})
}

// schemaName names the document's schemas after their Go types; types of
// package snapshot (Stats, Source) get its name in front, so they meet no
// other package's type of the same name.
func schemaName(t reflect.Type, hint string) string {
	name := huma.DefaultSchemaNamer(t, hint)
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if path.Base(t.PkgPath()) == "snapshot" && !strings.HasPrefix(name, "Snapshot") {
		return "Snapshot" + name
	}
	return name
}
