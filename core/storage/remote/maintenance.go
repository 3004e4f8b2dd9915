package remote

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/remote/protocol"
)

// Maintain asks the server to run maintenance operation op (forget, prune)
// on the repository next to its storage: req is sent as JSON and the
// server's JSON answer is decoded into resp. The request is sent once,
// never retried (the operation may be running already). A server without
// the repository's password answers ErrNoServerPassword.
func (b *Backend) Maintain(ctx context.Context, op string, req, resp any) error {
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	url := b.base.String() + "/" + protocol.MaintenancePath + "/" + op
	r, err := b.do(ctx, b.once, http.MethodPost, url, body, http.Header{"Content-Type": {"application/json"}})
	if err != nil {
		return err // the server's message names the operation
	}
	defer r.Body.Close()
	if err := json.NewDecoder(r.Body).Decode(resp); err != nil {
		return fmt.Errorf("%s on the server: reading the answer: %v: %w", op, err, storage.ErrUnavailable)
	}
	return nil
}
