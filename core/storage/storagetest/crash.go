package storagetest

import (
	"errors"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// ErrCrash is the error of every write after a Crash.
var ErrCrash = errors.New("simulated crash")

// Crash wraps b as a process that dies after its first n writes (Save or
// Remove): every later write fails with ErrCrash. When lost, write n+1
// still takes effect, and only its answer is lost.
func Crash(b storage.Backend, n int, lost bool) *Faulty {
	f := NewFaulty(b)
	if lost {
		f.Add(Fault{Op: OpWrites, Nth: n + 1, Times: 1, Lost: true, Err: ErrCrash})
	}
	f.Add(Fault{Op: OpWrites, Nth: n + 1, Err: ErrCrash})
	return f
}

// StopAtEveryWrite runs an operation stopped after each of its writes in
// turn: run(n) runs it on a backend wrapped with Crash(b, n, lost) and
// returns its error, after checking what the stop left behind. The first
// run that succeeds ends the loop; it must have needed at least min
// writes, else the crash points were not exercised. Every other run must
// fail with ErrCrash.
func StopAtEveryWrite(t *testing.T, min int, run func(n int) error) {
	t.Helper()
	for n := 0; n <= 1000; n++ {
		err := run(n)
		if err == nil {
			if n < min {
				t.Fatalf("the operation finished after %d writes; it cannot in fewer than %d, so the crash points were not exercised", n, min)
			}
			t.Logf("the operation needs %d writes; stopped after each of them", n)
			return
		}
		if !errors.Is(err, ErrCrash) {
			t.Fatalf("stopped after %d writes: %v", n, err)
		}
	}
	t.Fatal("the operation never finished")
}
