package pngio

import (
	"hash/adler32"
	"math/rand/v2"
	"testing"
)

// TestAdler32Combine checks the combination against the checksum of the
// concatenation, at many split points and lengths.
func TestAdler32Combine(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 100, 5552, 65521, 65522, 200_000} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		if n > 1000 {
			clear(data[:n/2]) // a long run of zeros, then noise
			for i := n / 2; i < n; i++ {
				data[i] = 0xff
			}
		}
		for _, split := range []int{0, n / 3, n / 2, n} {
			a, b := data[:split], data[split:]
			got := adler32Combine(adlerOf(a), adlerOf(b), int64(len(b)))
			if want := adlerOf(data); got != want {
				t.Errorf("n %d split %d: got %08x, want %08x", n, split, got, want)
			}
		}
	}
}

func adlerOf(b []byte) uint32 { return adler32.Checksum(b) }
