package capture_test

import (
	"bytes"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/savepoint-ci/savepoint/core/capture"
)

// A Counter counts the bytes read through io.TeeReader and those written
// through io.MultiWriter, and passes them on unchanged.
func TestCounter(t *testing.T) {
	var read, written atomic.Int64
	var out bytes.Buffer
	n, err := io.Copy(io.MultiWriter(&out, capture.Counter{N: &written}),
		io.TeeReader(strings.NewReader("twelve bytes"), capture.Counter{N: &read}))
	if err != nil || n != 12 || out.String() != "twelve bytes" {
		t.Fatalf("copied %d (%v): %q", n, err, out.String())
	}
	if read.Load() != 12 || written.Load() != 12 {
		t.Errorf("counted %d read, %d written, want 12 each", read.Load(), written.Load())
	}
}
