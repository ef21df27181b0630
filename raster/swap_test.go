package raster

import "testing"

// TestSwapBytes16 checks the word-at-a-time byte swap against swapping
// each pair on its own, in place and into another slice, on every length
// up to 40 (odd ones leave the last byte).
func TestSwapBytes16(t *testing.T) {
	for n := range 41 {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*37 + 11)
		}
		want := append([]byte(nil), b...)
		for i := 0; i+1 < n; i += 2 {
			want[i], want[i+1] = want[i+1], want[i]
		}
		d := make([]byte, n)
		if n%2 == 1 {
			d[n-1] = b[n-1] // the byte the swap leaves alone
		}
		SwapBytes16(d, b)
		if string(d) != string(want) {
			t.Fatalf("length %d, copying: got % x, want % x", n, d, want)
		}
		SwapBytes16(b, b)
		if string(b) != string(want) {
			t.Fatalf("length %d, in place: got % x, want % x", n, b, want)
		}
	}
}
