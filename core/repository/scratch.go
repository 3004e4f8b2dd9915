package repository

import "sync"

// Scratch buffers hold compressed or decrypted units on their way into or
// out of a pack. Small ones come from a sync.Pool; large ones (groups and
// big chunks) from a short free list that, unlike a sync.Pool, survives
// garbage collections: the save pipeline needs a few multi-MiB buffers
// all the time, and allocating them again after every collection is what
// made its heap (and so its peak RSS) grow.
const (
	smallScratch = 256 << 10
	// largeScratch fits a group's compressed worst case, so buffers are
	// interchangeable between groups.
	largeScratch = groupTarget + groupTarget>>7 + 4096
)

var (
	smallPool sync.Pool
	largeFree = make(chan *[]byte, 4)
)

// getScratch returns an empty buffer of capacity at least n.
func getScratch(n int) *[]byte {
	if n <= smallScratch {
		if p, ok := smallPool.Get().(*[]byte); ok && cap(*p) >= n {
			return p
		}
		// Sized to the need: many trees are compressed at once.
		b := make([]byte, 0, n)
		return &b
	}
	select {
	case p := <-largeFree:
		if cap(*p) >= n {
			return p
		}
		// Too small for this one (a chunk above the group size): let it go.
	default:
	}
	b := make([]byte, 0, max(n, largeScratch))
	return &b
}

// putScratch gives a buffer from getScratch back.
func putScratch(p *[]byte) {
	*p = (*p)[:0]
	if cap(*p) <= smallScratch {
		smallPool.Put(p)
		return
	}
	select {
	case largeFree <- p:
	default:
	}
}
