// Package image records container images by digest, pins them with a tag
// so they survive tag moves and registry garbage collection, and re-points
// a tag to a recorded digest. It only ever reads and writes manifests:
// layers are never pulled or pushed.
package image
