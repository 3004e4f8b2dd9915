package snapcopy

import (
	"sync"

	"github.com/savepoint-ci/savepoint/core/repository"
)

// idMap translates source blob IDs into destination blob IDs. When both
// repositories hash with one key the translation is the identity.
type idMap struct {
	same bool
	mu   sync.Mutex
	m    map[repository.ID]repository.ID
}

func newIDMap(src, dst *repository.Repository) *idMap {
	// The hash key is secret; two repositories share it exactly when they
	// name a probe alike.
	probe := []byte("savepoint copy: do these repositories share a hash key?")
	return &idMap{same: src.Hash(probe) == dst.Hash(probe), m: map[repository.ID]repository.ID{}}
}

// get returns the destination ID of the source blob a, if known.
func (m *idMap) get(a repository.ID) (repository.ID, bool) {
	if m.same {
		return a, true
	}
	m.mu.Lock()
	b, ok := m.m[a]
	m.mu.Unlock()
	return b, ok
}

func (m *idMap) put(a, b repository.ID) {
	if m.same {
		return
	}
	m.mu.Lock()
	m.m[a] = b
	m.mu.Unlock()
}
