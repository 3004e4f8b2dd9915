// Package capture stores sources that are not files: the standard output
// of a command (a database dump, say) and standard input, streamed straight
// into the chunker without a temporary file. It also writes such a stream
// back out (dump) or pipes it into a restore command. The blobs written are
// durable only after repository.Flush; save.Run flushes before committing,
// so capture the sources first and pass them to save.Run as Options.Sources.
package capture
