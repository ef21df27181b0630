package tiffio

import "testing"

// TestSwap16 checks the word-at-a-time byte swap against swapping each
// pair on its own, on every length up to 40 (odd ones leave the last byte).
func TestSwap16(t *testing.T) {
	for n := range 41 {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*37 + 11)
		}
		want := append([]byte(nil), b...)
		for i := 0; i+1 < n; i += 2 {
			want[i], want[i+1] = want[i+1], want[i]
		}
		swap16(b)
		if string(b) != string(want) {
			t.Fatalf("length %d: got % x, want % x", n, b, want)
		}
	}
}
