// Package transfer holds what the HTTP backends (s3, oci, and the savepoint
// server's client) share about moving bytes over a network: an idle
// timeout on bytes actually moving (IdleTransport), resuming a download
// whose body broke or stalled (Resume), and one short line for a network
// error (ShortNetError).
//
// A connection that stops sending half-way through an object never fails
// by itself: without an idle timeout a save or restore waits for the
// operating system's TCP timeouts, minutes. A whole-request deadline is no
// cure either, as large packs on slow links would hit it. IdleTransport
// fails an attempt only when no byte has moved for the idle timeout; the
// backend's retry then goes again at once, on a fresh connection (the
// stalled one is closed).
package transfer
