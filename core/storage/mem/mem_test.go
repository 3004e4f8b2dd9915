package mem_test

import (
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/mem"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Backend { return mem.New() })
}
