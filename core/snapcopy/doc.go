// Package snapcopy copies snapshots from one repository to another, any
// backend to any backend (savepoint copy, and the server's sync jobs).
//
// Blob IDs are keyed per master key, so a blob's ID in the destination is
// not its ID in the source. A copy keeps the source's chunks, decrypts each
// blob the destination lacks with the source's key, names it with the
// destination's hash key and seals it with the destination's key; trees
// are re-encoded with the new IDs. What the destination already holds is
// known without reading the source's data: a translation of source IDs to
// destination IDs is taken, tree by tree, from snapshots copied earlier
// (a copy records its source's ID as snapshot.Snapshot.Original), and a
// blob read anyway is only uploaded when the destination's index lacks it.
// When both repositories share one hash key (init --copy-key-from), IDs
// are the same and the destination's index is asked directly.
//
// A copy never deletes anything in the destination, so an append-only
// server token is enough. It commits what it stored every
// Options.CommitEvery bytes (an index segment), so a copy killed half-way
// and run again finds those blobs in the destination's index; the packs
// it uploaded after its last commit are indexed from their headers by the
// next run (adopt.go), which sends only what had not landed.
//
// Entry point:
//
//	stats, err := snapcopy.Run(ctx, src, dst, snapcopy.Options{Name: "production", Latest: 3})
package snapcopy
