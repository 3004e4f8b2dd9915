// Package copytest holds the end-to-end tests of `savepoint copy`
// (docs/copy.md): the real binary copying snapshots between repositories
// on local disk, MinIO and a registry, killed half-way and run again, and
// the bytes and requests a copy costs, counted at the storage.
package copytest
