// Package testkdf makes the password key derivation (scrypt) of new key
// slots cheap in tests and benchmarks, so that creating a repository costs
// milliseconds instead of a second. It is the one place tests lower the
// cost; production code never imports it.
package testkdf

import (
	"sync"

	"github.com/savepoint-ci/savepoint/core/crypto"
)

var once sync.Once

// Cheap lowers scrypt's N for new key slots to 2^10. Call it before the
// first key slot is made (testrepo.New and testrepo.Init do); it is safe
// to call from parallel tests.
func Cheap() {
	once.Do(func() { crypto.ScryptN = 1 << 10 })
}
