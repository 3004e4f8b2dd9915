package repos

import (
	"context"
	"errors"
	"time"

	"github.com/savepoint-ci/savepoint/core/server/records"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// Session markers are the one kind of object an append token may remove:
// a writer removes its own marker when its snapshot is committed. The
// server records which token created each marker (records table
// "sessions/NAME", one record per marker) and lets only that token remove
// it (docs/FORMAT.md, "Session markers behind a server").

type owner struct {
	Token   string    `json:"token"` // the token's ID, never its secret
	Created time.Time `json:"created"`
}

func (r *Repo) ownerTable(ctx context.Context) (*records.Table, error) {
	return r.tables.get(ctx, "sessions/"+r.Name)
}

// SetOwner records that token tokenID created session marker session.
func (r *Repo) SetOwner(ctx context.Context, session, tokenID string) error {
	t, err := r.ownerTable(ctx)
	if err != nil {
		return err
	}
	return t.Put(ctx, session, owner{Token: tokenID, Created: r.hub.o.Now().UTC()})
}

// Owner returns the ID of the token that created session marker session,
// or "" when none was recorded.
func (r *Repo) Owner(ctx context.Context, session string) (string, error) {
	t, err := r.ownerTable(ctx)
	if err != nil {
		return "", err
	}
	var o owner
	err = t.Get(ctx, session, &o)
	if errors.Is(err, storage.ErrNotFound) {
		return "", nil
	}
	return o.Token, err
}

// DropOwner forgets the owner of a removed session marker.
func (r *Repo) DropOwner(ctx context.Context, session string) error {
	t, err := r.ownerTable(ctx)
	if err != nil {
		return err
	}
	return t.Delete(ctx, session)
}
