package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// Health is the answer of the health checks.
type Health struct {
	Body struct {
		Status string `json:"status" enum:"ok" doc:"ok"`
	}
}

func (a *api) health(h huma.API) {
	op := func(id, path, summary string) huma.Operation {
		return huma.Operation{OperationID: id, Method: http.MethodGet, Path: path, Summary: summary,
			Tags: []string{"health"}, Security: []map[string][]string{}, Metadata: map[string]any{public: true}}
	}
	huma.Register(h, op("healthz", "/healthz", "Liveness: the process answers"),
		func(ctx context.Context, _ *struct{}) (*Health, error) {
			out := &Health{}
			out.Body.Status = "ok"
			return out, nil
		})
	huma.Register(h, op("readyz", "/readyz", "Readiness: the storage answers (one request)"),
		func(ctx context.Context, _ *struct{}) (*Health, error) {
			if err := a.s.Jobs.Ping(ctx); err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &Health{}
			out.Body.Status = "ok"
			return out, nil
		})
}
