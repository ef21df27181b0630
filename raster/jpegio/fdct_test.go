package jpegio

import "testing"

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
