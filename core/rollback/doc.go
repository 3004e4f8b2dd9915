// Package rollback puts everything a checkpoint captured back: files into
// a target directory, command sources piped into their restore commands,
// image tags re-pointed to the recorded digests. It first builds a Plan
// (printable, for --dry-run), then applies it step by step; the first
// failing step stops the rollback and the Report says which steps ran,
// which failed and which did not run.
package rollback
