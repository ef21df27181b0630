package jpegio

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/sluice-go/sluice/internal/bandtest"
)

// boxShrink averages d×d blocks of pix (w×h, c channels), rounding; the
// blocks at the right and bottom edges hold what is left.
func boxShrink(pix []byte, w, h, c, d int) []byte {
	ow, oh := (w+d-1)/d, (h+d-1)/d
	out := make([]byte, 0, ow*oh*c)
	for oy := range oh {
		for ox := range ow {
			for k := range c {
				sum, n := 0, 0
				for y := oy * d; y < min(oy*d+d, h); y++ {
					for x := ox * d; x < min(ox*d+d, w); x++ {
						sum += int(pix[(y*w+x)*c+k])
						n++
					}
				}
				out = append(out, byte((sum+n/2)/n))
			}
		}
	}
	return out
}

// TestShrinkOnLoad decodes every test file at 1/2, 1/4 and 1/8 of its
// size: the header must give each side rounded up, the pixels must be the
// same through rows, serial bands on several goroutines and any band
// height, and, for files of more than one block, within 30 dB PSNR of the
// full decode averaged over the same blocks (the reduced transform samples
// each block's reconstruction at the centres of its groups of pixels,
// which a box average approximates; the corpus' small, busy images are
// its hard case).
func TestShrinkOnLoad(t *testing.T) {
	for _, path := range testFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		full, fullPix := decodeAll(t, data, 16)
		for _, d := range []int{2, 4, 8} {
			t.Run(fmt.Sprintf("%s/1of%d", filepath.Base(path), d), func(t *testing.T) {
				o := ReaderOptions{Shrink: func(w, h int) int {
					if w != full.Width || h != full.Height {
						t.Errorf("Shrink called with %d×%d, want %d×%d", w, h, full.Width, full.Height)
					}
					return d
				}}
				h, got := decodeWith(t, data, 5, o)
				if h.Width != (full.Width+d-1)/d || h.Height != (full.Height+d-1)/d {
					t.Fatalf("got %d×%d, want %d×%d rounded up", h.Width, h.Height, full.Width, full.Height)
				}
				o.BandRows = 1
				r, err := NewReader(bytes.NewReader(data), o)
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				serial, err := bandtest.DecodeSerial(r, 3)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(serial, got) {
					t.Errorf("pixels by serial bands of one MCU row differ from ReadRows'")
				}
				if full.Width < 16 || full.Height < 16 {
					return // one block or less: its padding weighs as much as its pixels
				}
				want := boxShrink(fullPix, full.Width, full.Height, full.Pixel.Channels, d)
				if p := psnr(got, want); p < 30 {
					t.Errorf("PSNR against the full decode averaged over %d×%d blocks: got %.1f dB, want at least 30", d, d, p)
				}
			})
		}
	}
	if _, err := NewReader(bytes.NewReader(mustRead(t, testFiles(t)[0])), ReaderOptions{Shrink: func(int, int) int { return 3 }}); err == nil {
		t.Errorf("Shrink returning 3: got no error")
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestIDCTReducedUnrolled checks the unrolled 2×2 and 4×4 transforms
// against the general one on random, wide and extreme coefficients, and
// on a DC coefficient alone.
func TestIDCTReducedUnrolled(t *testing.T) {
	t.Run("2x2", func(t *testing.T) { checkReduced(t, 2, idct2x2) })
	t.Run("4x4", func(t *testing.T) { checkReduced(t, 4, idct4x4) })
}

func checkReduced(t *testing.T, n int, f func([]int16, *[64]uint16, []byte, int)) {
	rng := rand.New(rand.NewPCG(7, uint64(n)))
	var q [64]uint16
	for trial := range 2000 {
		var blk [64]int16
		for i := range 64 {
			if i%8 >= n || i/8 >= n {
				continue
			}
			switch trial % 3 {
			case 0:
				blk[i] = int16(rng.IntN(2048) - 1024)
			case 1:
				blk[i] = int16(rng.Uint32())
			default:
				blk[i] = []int16{-32768, 32767, 0}[rng.IntN(3)]
			}
			q[i] = uint16(1 + rng.IntN([]int{255, 65535}[trial%2]))
		}
		if trial%4 == 3 {
			// DC alone, the shortcut of smooth blocks.
			dc := blk[0]
			blk = [64]int16{}
			blk[0] = dc
		}
		got, want := make([]byte, n*5), make([]byte, n*5)
		f(blk[:], &q, got, 5)
		idctReducedN(blk[:], &q, want, 5, n, n)
		if !bytes.Equal(got, want) {
			t.Fatalf("trial %d, coefficients %v: got %v, want %v", trial, blk, got, want)
		}
	}
}
