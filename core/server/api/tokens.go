package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/savepoint-ci/savepoint/core/retention"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/remote/protocol"
)

// TokenInfo is a token as the API shows it: never its secret or its hash.
type TokenInfo struct {
	ID         string    `json:"id"`
	Repository string    `json:"repository" doc:"A repository name, or * for every repository"`
	Role       string    `json:"role" enum:"read,append,admin"`
	State      string    `json:"state" enum:"active,expired,revoked"`
	Created    time.Time `json:"created"`
	Expires    time.Time `json:"expires,omitzero"`
	Revoked    time.Time `json:"revoked,omitzero"`
}

func tokenInfo(t tokens.Token, now time.Time) TokenInfo {
	return TokenInfo{ID: t.ID, Repository: t.Repo, Role: string(t.Role), State: t.State(now), Created: t.Created, Expires: t.Expires, Revoked: t.Revoked}
}

// NewToken is a created token: the secret, shown this once, and its record.
type NewToken struct {
	Token string `json:"token" doc:"The token (spt_ID_SECRET): shown only now, only its hash is stored"`
	TokenInfo
}

type createTokenInput struct {
	Body struct {
		Repository string `json:"repository" doc:"A repository name, or * for every repository"`
		Role       string `json:"role" enum:"read,append,admin"`
		Expires    string `json:"expires,omitempty" doc:"Let the token expire after this duration (e.g. 90d)"`
	}
}

type tokenInput struct {
	ID string `path:"id" doc:"Token ID (the part between the underscores)"`
}

type tokenList = reply[[]TokenInfo]
type tokenOne = reply[TokenInfo]
type tokenNew = reply[NewToken]

// Tokens are managed by admin tokens: one for every repository manages
// all of them, one for a repository the tokens of that repository.
func (a *api) tokens(h huma.API) {
	tags := []string{"tokens"}
	huma.Register(h, huma.Operation{OperationID: "list-tokens", Method: http.MethodGet, Path: Prefix + "/tokens",
		Summary: "List the tokens the admin token covers (never their secrets)", Tags: tags},
		func(ctx context.Context, _ *struct{}) (*tokenList, error) {
			tok := token(ctx)
			return answer(ctx, a, tok.Repo, tokens.RoleAdmin, "listing tokens", func() ([]TokenInfo, error) {
				list, err := a.s.Tokens.List(ctx)
				covered := []TokenInfo{}
				now := time.Now()
				for _, t := range list {
					if tok.Repo == tokens.AllRepos || t.Repo == tok.Repo {
						covered = append(covered, tokenInfo(t, now))
					}
				}
				return covered, err
			})
		})
	huma.Register(h, huma.Operation{OperationID: "create-token", Method: http.MethodPost, Path: Prefix + "/tokens",
		Summary: "Create a token; the answer holds its secret, shown only this once", DefaultStatus: http.StatusCreated, Tags: tags},
		func(ctx context.Context, in *createTokenInput) (*tokenNew, error) {
			b := in.Body
			if b.Repository != tokens.AllRepos {
				if err := protocol.CheckRepoName(b.Repository); err != nil {
					return nil, a.fail(ctx, err)
				}
			}
			if err := a.allow(ctx, b.Repository, tokens.RoleAdmin, "creating a token"); err != nil {
				return nil, err
			}
			role, err := tokens.ParseRole(b.Role)
			if err != nil {
				return nil, a.fail(ctx, fmt.Errorf("%v: %w", err, storage.ErrInvalid))
			}
			var valid time.Duration
			if b.Expires != "" {
				if valid, err = retention.ParseDuration(b.Expires); err != nil || valid <= 0 {
					return nil, a.fail(ctx, fmt.Errorf("expires %q: give a duration such as 90d: %w", b.Expires, storage.ErrInvalid))
				}
			}
			secret, t, err := a.s.Tokens.Create(ctx, b.Repository, role, valid)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			a.log.Info("token created", "token", t.ID, "repo", t.Repo, "role", string(t.Role), "by", token(ctx).ID)
			return &tokenNew{Body: NewToken{Token: secret, TokenInfo: tokenInfo(t, time.Now())}}, nil
		})
	huma.Register(h, huma.Operation{OperationID: "revoke-token", Method: http.MethodDelete, Path: Prefix + "/tokens/{id}",
		Summary: "Revoke a token: every server refuses it within its token cache time", Tags: tags},
		func(ctx context.Context, in *tokenInput) (*tokenOne, error) {
			tok := token(ctx)
			if err := a.allow(ctx, tok.Repo, tokens.RoleAdmin, "revoking a token"); err != nil {
				return nil, err
			}
			if tok.Repo != tokens.AllRepos {
				// A repository's admin revokes that repository's tokens only.
				list, err := a.s.Tokens.List(ctx)
				if err != nil {
					return nil, a.fail(ctx, err)
				}
				for _, t := range list {
					if t.ID == in.ID && t.Repo != tok.Repo {
						return nil, a.allow(ctx, t.Repo, tokens.RoleAdmin, "revoking a token")
					}
				}
			}
			t, err := a.s.Tokens.Revoke(ctx, in.ID)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			a.log.Info("token revoked", "token", t.ID, "by", tok.ID)
			return &tokenOne{Body: tokenInfo(t, time.Now())}, nil
		})
}
