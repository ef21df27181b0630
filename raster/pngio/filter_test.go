package pngio

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// paethSpec is the Paeth predictor exactly as the specification writes it.
func paethSpec(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	if pa <= pb && pa <= pc {
		return a
	}
	if pb <= pc {
		return b
	}
	return c
}

// TestPaethByte checks the branch-free predictor against the specification
// for every input.
func TestPaethByte(t *testing.T) {
	for a := range 256 {
		for b := range 256 {
			for c := range 256 {
				got, want := paethByte(byte(a), byte(b), byte(c)), paethSpec(byte(a), byte(b), byte(c))
				if got != want {
					t.Fatalf("paethByte(%d, %d, %d): got %d, want %d", a, b, c, got, want)
				}
			}
		}
	}
}

// TestFilterUnfilter filters rows of many kinds with filterRow and undoes
// the filter with unfilter; every filter type must be chosen somewhere and
// every row must come back.
func TestFilterUnfilter(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, bpp := range []int{1, 2, 3, 4, 6, 8} {
		t.Run(fmt.Sprintf("bpp%d", bpp), func(t *testing.T) {
			n := 37 * bpp
			var scratch [4][]byte
			for i := range scratch {
				scratch[i] = make([]byte, n)
			}
			seen := map[byte]bool{}
			prev := make([]byte, n)
			for r := range 400 {
				cur := make([]byte, n)
				for i := range cur {
					x := i / bpp
					switch r % 6 {
					case 0: // noise: None
						cur[i] = byte(rng.Uint32())
					case 1: // a copy of the row above: Up
						cur[i] = prev[i]
					case 2: // horizontal ramp: Sub
						cur[i] = byte(x*3 + r)
					case 3: // smooth in both directions
						cur[i] = byte(x*2+r*3) + byte(rng.IntN(3))
					case 4: // the row above plus a ramp: Paeth or Average
						cur[i] = prev[i] + byte(x)
					default: // the average of left and above
						if i >= bpp {
							cur[i] = byte((int(cur[i-bpp]) + int(prev[i])) / 2)
						}
						cur[i] += byte(rng.IntN(2))
					}
				}
				out := make([]byte, n+1)
				filterRow(out, cur, prev, bpp, true, &scratch)
				seen[out[0]] = true
				if err := unfilter(out[0], out[1:], prev, bpp); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(out[1:], cur) {
					t.Fatalf("row %d, filter %d: got a different row back", r, out[0])
				}
				prev = cur
			}
			for ft := range byte(5) {
				if !seen[ft] {
					t.Errorf("filter %d never chosen, want every filter tried on these rows (seen %v)", ft, seen)
				}
			}
		})
	}
}
