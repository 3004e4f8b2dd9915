package repos

import (
	"context"
	"sync"

	"github.com/savepoint-ci/savepoint/core/server/records"
)

// tables opens records tables by name on first use and keeps them open.
type tables struct {
	o  Options
	mu sync.Mutex
	m  map[string]*records.Table
}

// get returns the records table name of the hub's storage.
func (t *tables) get(ctx context.Context, name string) (*records.Table, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if tb := t.m[name]; tb != nil {
		return tb, nil
	}
	tb, err := records.Open(ctx, t.o.Storage, name, t.o.Location)
	if err != nil {
		return nil, err
	}
	if t.m == nil {
		t.m = map[string]*records.Table{}
	}
	t.m[name] = tb
	return tb, nil
}

// close closes the backends of the tables opened.
func (t *tables) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, tb := range t.m {
		tb.Backend().Close()
	}
	t.m = nil
}

// Table returns the server's records table name (records.Open on the
// hub's storage), opened once and kept open until Close.
func (h *Hub) Table(ctx context.Context, name string) (*records.Table, error) {
	return h.tables.get(ctx, name)
}
