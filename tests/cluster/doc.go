// Package cluster tests savepoint against a distributed MinIO of four nodes
// (scripts/services/s3-cluster.sh): the storage conformance suite, an
// end-to-end run with each command on a different node, a node killed during
// a save and during a restore, lost quorum, and eight concurrent writer
// processes with a prune loop. The tests are in one package so that no other
// package's test sees a node it did not kill go down.
package cluster
