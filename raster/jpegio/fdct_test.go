package jpegio

import (
	"math/rand/v2"
	"testing"
)

// TestDivisorsExact checks the reciprocal division against plain integer
// division for every table step and every value the DCT can give.
func TestDivisorsExact(t *testing.T) {
	for step := 1; step <= 255; step++ {
		var q [64]uint16
		for i := range q {
			q[i] = uint16(step)
		}
		d := newDivisors(&q)
		s := int32(step) << 3
		for v := int32(-1 << 15); v < 1<<15; v += 7 {
			blkWant := (v + s>>1) / s
			if v < 0 {
				blkWant = -((-v + s>>1) / s)
			}
			got := quantize(v, d, 0)
			if got != blkWant {
				t.Fatalf("step %d, value %d: got %d, want %d", step, v, got, blkWant)
			}
		}
	}
}

// TestToZigzag checks the mask conversion bit by bit on random masks:
// bit k of the result is bit zigzag[k] of the natural-order mask.
func TestToZigzag(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 1000 {
		m := rng.Uint64() & rng.Uint64()
		got := toZigzag(m)
		for k := range 64 {
			if want := m >> zigzag[k] & 1; got>>k&1 != want {
				t.Fatalf("mask %#x: got bit %d = %d, want %d", m, k, got>>k&1, want)
			}
		}
	}
}

// TestRecip16Exact checks the 16-bit factors of the vector kernel against
// plain integer division for every table step and every magnitude the
// DCT can give (up to 2¹⁵), the operations as the kernel runs them.
func TestRecip16Exact(t *testing.T) {
	for q := uint32(1); q <= 255; q++ {
		step := q << 3
		recip, corr, scale := recip16(step)
		for x := uint32(0); x <= 1<<15; x++ {
			a := uint16(x) + corr // the kernel's VPADDW
			got := uint32(a) * uint32(recip) >> 16 * uint32(scale) >> 16
			if want := (x + step/2) / step; got != want {
				t.Fatalf("step %d, magnitude %d: got %d, want %d", step, x, got, want)
			}
		}
	}
}
