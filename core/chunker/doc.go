// Package chunker splits byte streams into content-defined chunks with a
// keyed gear hash (FastCDC with cut-point skipping and normalized chunking).
//
// The boundaries are part of the repository format: the same secret,
// parameters and content always give the same chunks, so the algorithm below
// must never change for an existing repository.
//
// Algorithm, for a chunk starting at offset 0 of data (n = min(len(data), Max)):
//
//   - If n <= Min, the chunk is the n bytes.
//   - The first Min bytes are not hashed (cut-point skipping). From offset Min
//     the 64-bit gear fingerprint is fp = fp<<1 + T[byte] (wrapping), starting
//     at fp = 0, where T is the keyed Table.
//   - d = max(Avg-Min, 64) and b = floor(log2(d)). maskS is the top b+2 bits
//     of a uint64, maskL the top b-2 bits. After hashing the byte at offset
//     i, the chunk ends at i+1 if fp&mask == 0, where mask is maskS for
//     i < Avg and maskL for i >= Avg.
//   - If no test succeeds the chunk is n bytes long (Max, or the end of the
//     stream).
//
// Choosing b from Avg-Min rather than Avg keeps the mean chunk size close to
// Avg on random data despite the skipped Min bytes (about 1.04 MiB for the
// defaults). The top bits of fp are tested because bit k of fp depends on the
// last k+1 bytes, so the top bits see the full 64-byte window.
package chunker
