package jpegio

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-go/sluice/internal/testtool"
	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/pnmio"
)

var update = flag.Bool("update", false, "rewrite testdata/djpeg/*.pnm with djpeg's output")

// minPSNR is how close our pixels must be to libjpeg-turbo's.
const minPSNR = 45

// psnr is the peak signal-to-noise ratio of b against a, 8-bit samples;
// +Inf when they are equal.
func psnr(a, b []byte) float64 {
	var se float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		se += d * d
	}
	if se == 0 {
		return math.Inf(1)
	}
	mse := se / float64(len(a))
	return 10 * math.Log10(255*255/mse)
}

// readPNM decodes a PGM or PPM file into its header and pixels.
func readPNM(t testing.TB, data []byte) (raster.Header, []byte) {
	t.Helper()
	r, err := pnmio.NewReader(bytes.NewReader(data), raster.Limits{})
	if err != nil {
		t.Fatalf("reading PNM: %v", err)
	}
	h := r.Header()
	pix := make([]byte, h.Bytes())
	if _, err := io.ReadFull(readerOf(r), pix); err != nil {
		t.Fatalf("reading PNM rows: %v", err)
	}
	return h, pix
}

// readerOf adapts a RowReader to an io.Reader of its rows.
func readerOf(r raster.RowReader) io.Reader {
	return &rowsReader{r: r, buf: make([]byte, 0, r.Header().RowBytes())}
}

type rowsReader struct {
	r   raster.RowReader
	buf []byte
	off int
}

func (rr *rowsReader) Read(p []byte) (int, error) {
	if rr.off == len(rr.buf) {
		rr.buf = rr.buf[:cap(rr.buf)]
		n, err := rr.r.ReadRows(rr.buf)
		rr.buf, rr.off = rr.buf[:n*rr.r.Header().RowBytes()], 0
		if n == 0 {
			return 0, err
		}
	}
	n := copy(p, rr.buf[rr.off:])
	rr.off += n
	return n, nil
}

func testFiles(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join("testdata", "*.jpg"))
	if err != nil || len(files) < 15 {
		t.Fatalf("got %d test files (%v), want the corpus of testdata", len(files), err)
	}
	return files
}

// TestMatchesDjpeg decodes every file in testdata and compares the pixels
// with libjpeg-turbo's (djpeg, default options): the golden output in
// testdata/djpeg, and djpeg's live output when the tool is installed.
func TestMatchesDjpeg(t *testing.T) {
	for _, name := range testFiles(t) {
		base := strings.TrimSuffix(filepath.Base(name), ".jpg")
		t.Run(base, func(t *testing.T) {
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "djpeg", base+".pnm")
			if *update {
				out, err := exec.Command(testtool.Require(t, "djpeg"), "-pnm", name).Output()
				if err != nil {
					t.Fatalf("djpeg: %v", err)
				}
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			wh, wpix := readPNM(t, want)
			for _, rowsPer := range []int{1, 7, 1000} {
				h, got := decodeAll(t, data, rowsPer)
				if h.Width != wh.Width || h.Height != wh.Height || h.Pixel != wh.Pixel {
					t.Fatalf("got %dx%d %v, want %dx%d %v", h.Width, h.Height, h.Pixel, wh.Width, wh.Height, wh.Pixel)
				}
				if p := psnr(wpix, got); p < minPSNR {
					t.Errorf("rows %d: got PSNR %.1f dB against djpeg, want at least %d", rowsPer, p, minPSNR)
				}
			}
		})
	}
}

// TestMatchesLiveDjpeg runs djpeg itself on every test file, so that the
// goldens cannot drift from the tool.
func TestMatchesLiveDjpeg(t *testing.T) {
	djpeg := testtool.Require(t, "djpeg")
	for _, name := range testFiles(t) {
		t.Run(filepath.Base(name), func(t *testing.T) {
			out, err := exec.Command(djpeg, "-pnm", name).Output()
			if err != nil {
				t.Fatalf("djpeg: %v", err)
			}
			_, want := readPNM(t, out)
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			_, got := decodeAll(t, data, 16)
			p := psnr(want, got)
			if p < minPSNR {
				t.Errorf("got PSNR %.1f dB against djpeg, want at least %d", p, minPSNR)
			}
		})
	}
}

// TestSameBytesAnyBand decodes with bands of 1, 2, 3 and 8 MCU rows, and
// with the bands decoded in reverse order: the pixels must not change.
func TestSameBytesAnyBand(t *testing.T) {
	for _, name := range testFiles(t) {
		t.Run(filepath.Base(name), func(t *testing.T) {
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			var first []byte
			for _, band := range []int{1, 2, 3, 8} {
				got := decodeBands(t, data, ReaderOptions{BandRows: band}, true)
				if first == nil {
					first = got
				} else if !bytes.Equal(got, first) {
					t.Fatalf("bands of %d MCU rows decoded in reverse: pixels differ from bands of 1", band)
				}
			}
		})
	}
}

// decodeBands decodes data with NextBand, then runs Band.Decode on the
// bands in reverse order when reverse is set.
func decodeBands(t testing.TB, data []byte, o ReaderOptions, reverse bool) []byte {
	t.Helper()
	d, err := NewDecoder(bytes.NewReader(data), o)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var bands []*Band
	for {
		b, err := d.NextBand(nil)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		bands = append(bands, b)
	}
	out := make([]byte, d.Header().Bytes())
	rb := d.Header().RowBytes()
	for i := range bands {
		b := bands[i]
		if reverse {
			b = bands[len(bands)-1-i]
		}
		y0, _ := b.Rows()
		b.Decode(out[y0*rb:])
	}
	return out
}

func decodeAll(t testing.TB, data []byte, rowsPer int) (raster.Header, []byte) {
	t.Helper()
	return decodeWith(t, data, rowsPer, ReaderOptions{})
}

func decodeWith(t testing.TB, data []byte, rowsPer int, o ReaderOptions) (raster.Header, []byte) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data), o)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	defer r.Close()
	h := r.Header()
	buf := make([]byte, rowsPer*h.RowBytes())
	var out []byte
	for {
		n, err := r.ReadRows(buf)
		out = append(out, buf[:n*h.RowBytes()]...)
		if err == io.EOF {
			if int64(len(out)) != h.Bytes() {
				t.Fatalf("got %d bytes before EOF, want %d", len(out), h.Bytes())
			}
			return h, out
		}
		if err != nil {
			t.Fatalf("ReadRows: %v", err)
		}
	}
}

var _ = fmt.Sprint
