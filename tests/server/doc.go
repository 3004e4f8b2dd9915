// Package server holds the end-to-end tests of `savepoint serve`: the real
// savepoint binary as server and as client, on loopback, over local
// storage and over MinIO (docs/server.md).
package server
