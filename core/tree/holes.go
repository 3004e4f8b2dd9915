package tree

import (
	"fmt"
	"iter"
	"math"
)

// Hole is a run of zero bytes in a file's content, stored as its length
// only: no chunk, nothing in any pack. It stands before the chunk
// Content[At]; At == len(Content) puts it after the last chunk.
type Hole struct {
	At  int    `json:"at"`
	Len uint64 `json:"len"`
}

// Piece is one part of a file's content, in file order: a chunk
// (Content[Chunk]) or, when IsHole, a hole of HoleLen bytes.
type Piece struct {
	IsHole  bool
	Chunk   int
	HoleLen uint64
}

// Pieces lists n's chunks and holes in file order. The holes must be
// well formed (Check): at most one at each position, in order.
func (n *Node) Pieces() iter.Seq[Piece] {
	return func(yield func(Piece) bool) {
		h := 0
		for i := 0; i <= len(n.Content); i++ {
			for ; h < len(n.Holes) && n.Holes[h].At == i; h++ {
				if !yield(Piece{IsHole: true, HoleLen: n.Holes[h].Len}) {
					return
				}
			}
			if i < len(n.Content) && !yield(Piece{Chunk: i}) {
				return
			}
		}
	}
}

// HoleBytes is the total length of n's holes.
func (n *Node) HoleBytes() uint64 {
	var sum uint64
	for _, h := range n.Holes {
		sum += h.Len
	}
	return sum
}

// checkHoles refuses holes that do not describe a file: holes on a
// directory or link, a hole of no bytes or beyond any int64 offset, two
// holes at one position or out of order, a position past the last chunk.
func checkHoles(n *Node) error {
	if len(n.Holes) == 0 {
		return nil
	}
	if n.Type != File {
		return fmt.Errorf("%w: a %s with holes", ErrInvalidEntry, n.Type)
	}
	for i, h := range n.Holes {
		switch {
		case h.Len == 0 || h.Len > math.MaxInt64:
			return fmt.Errorf("%w: hole of %d bytes", ErrInvalidEntry, h.Len)
		case h.At < 0 || h.At > len(n.Content):
			return fmt.Errorf("%w: hole at chunk %d of %d", ErrInvalidEntry, h.At, len(n.Content))
		case i > 0 && h.At <= n.Holes[i-1].At:
			return fmt.Errorf("%w: holes out of order or two at chunk %d", ErrInvalidEntry, h.At)
		}
	}
	return nil
}
