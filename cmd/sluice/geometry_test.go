package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluice-go/sluice/engine"
	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/internal/testtool"
	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/codec"
)

// readPixels reads the whole image at path.
func readPixels(t *testing.T, path string) (raster.Header, []byte) {
	t.Helper()
	r, err := codec.Open(path, codec.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	h := r.Header()
	pix := make([]byte, h.Bytes())
	for off := 0; off < len(pix); {
		n, err := r.ReadRows(pix[off:])
		off += n * h.RowBytes()
		if err == io.EOF || (err == nil && n == 0) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	return h, pix
}

// oriented is a reader whose header says the image is stored in
// orientation o, for readers that do not read it from the file yet.
type oriented struct {
	*codec.Reader
	o raster.Orientation
}

func (r oriented) Header() raster.Header {
	h := r.Reader.Header()
	h.Orientation = r.o
	return h
}

// orientNames are ImageMagick's names of the orientations, by number.
var orientNames = []string{"", "TopLeft", "TopRight", "BottomRight", "BottomLeft", "LeftTop", "RightTop", "RightBottom", "LeftBottom"}

// TestAutorotateInterop writes a TIFF file with each of the eight
// orientations (ImageMagick's -orient sets the tag and leaves the pixels)
// and checks that sluice shows it as vips autorot does (ImageMagick's
// -auto-orient agreed when this was written), and that --no-autorotate
// keeps the pixels as stored.
func TestAutorotateInterop(t *testing.T) {
	convert := testtool.Require(t, "convert")
	vips := testtool.Require(t, "vips")
	dir := t.TempDir()
	in := filepath.Join(dir, "in.ppm")
	if out, err := exec.Command("sluice", "gen", "--quiet", "37x23", in).CombinedOutput(); err != nil {
		t.Fatalf("gen: %v\n%s", err, out)
	}
	_, stored := readPixels(t, in)
	for o := raster.TopLeft; o <= raster.LeftBottom; o++ {
		t.Run(orientNames[o], func(t *testing.T) {
			tif := filepath.Join(dir, fmt.Sprintf("o%d.tif", o))
			if out, err := exec.Command(convert, in, "-orient", orientNames[o], "-compress", "none", tif).CombinedOutput(); err != nil {
				t.Fatalf("convert -orient: %v\n%s", err, out)
			}
			refVips := filepath.Join(dir, fmt.Sprintf("vips%d.ppm", o))
			if out, err := exec.Command(vips, "autorot", tif, refVips).CombinedOutput(); err != nil {
				t.Fatalf("vips autorot: %v\n%s", err, out)
			}
			for _, keep := range []bool{false, true} {
				r, err := codec.Open(tif, codec.ReadOptions{})
				if err != nil {
					t.Fatal(err)
				}
				var src raster.RowReader = r
				switch got := r.Header().Orientation; got {
				case 0: // the reader does not read the tag: say it
					src = oriented{r, o}
				case o:
				default:
					t.Errorf("the reader found orientation %d, want %d", got, o)
				}
				out := filepath.Join(dir, fmt.Sprintf("out%d-%v.ppm", o, keep))
				c := &commonFlags{quiet: true, noAutorotate: keep}
				var stderr bytes.Buffer
				_, err = process(context.Background(), &env{stdout: io.Discard, stderr: &stderr}, src, out, nil, c, "run")
				r.Close()
				if err != nil {
					t.Fatalf("process: %v (%s)", err, stderr.String())
				}
				h, got := readPixels(t, out)
				if keep {
					if !bytes.Equal(got, stored) || h.Width != 37 {
						t.Errorf("--no-autorotate: got a %d×%d image unlike the stored pixels, want them as stored", h.Width, h.Height)
					}
					continue
				}
				rh, want := readPixels(t, refVips)
				if h.Width != rh.Width || h.Height != rh.Height || !bytes.Equal(got, want) {
					t.Errorf("got a %d×%d image, want vips autorot's %d×%d one, pixel for pixel", h.Width, h.Height, rh.Width, rh.Height)
				}
			}
		})
	}
}

// TestGeometryInterop compares each geometry operation with vips and
// ImageMagick on an image with odd sides, through the command.
func TestGeometryInterop(t *testing.T) {
	convert := testtool.Require(t, "convert")
	vips := testtool.Require(t, "vips")
	dir := t.TempDir()
	in := filepath.Join(dir, "in.ppm")
	if out, err := exec.Command("sluice", "gen", "--quiet", "101x67", in).CombinedOutput(); err != nil {
		t.Fatalf("gen: %v\n%s", err, out)
	}
	tests := []struct {
		op   string
		peer []string // OUT is the peer's output
	}{
		{"rotate:90", []string{vips, "rot", in, "OUT", "d90"}},
		{"rotate:180", []string{vips, "rot", in, "OUT", "d180"}},
		{"rotate:270", []string{vips, "rot", in, "OUT", "d270"}},
		{"flip", []string{vips, "flip", in, "OUT", "vertical"}},
		{"flop", []string{vips, "flip", in, "OUT", "horizontal"}},
		{"transpose", []string{convert, in, "-transpose", "OUT"}},
		{"transverse", []string{convert, in, "-transverse", "OUT"}},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			ref := filepath.Join(dir, "ref.ppm")
			args := append([]string(nil), tt.peer...)
			for i, a := range args {
				if a == "OUT" {
					args[i] = ref
				}
			}
			if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
			}
			_, want := readPixels(t, ref)
			// In process (the command's process), with a budget small
			// enough for the scratch to be a file in tiles; the engine's
			// tests vary workers, tiles and budgets.
			r, err := codec.Open(in, codec.ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			chain, err := filter.ParseChain([]string{tt.op})
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out.ppm")
			c := &commonFlags{quiet: true, workers: 2, tile: 32, memory: sizeFlag{64 << 10}, tmpdir: dir}
			if _, err := process(context.Background(), &env{stdout: io.Discard, stderr: io.Discard}, r, out, chain, c, "run"); err != nil {
				t.Fatalf("%s: %v", tt.op, err)
			}
			if _, got := readPixels(t, out); !bytes.Equal(got, want) {
				t.Errorf("%s: the pixels differ from %s's", tt.op, filepath.Base(tt.peer[0]))
			}
		})
	}
}

// exifWith returns a little-endian EXIF block whose IFD0 holds the
// orientation o and one other entry.
func exifWith(o raster.Orientation) []byte {
	b := []byte("II*\x00\x08\x00\x00\x00")
	b = binary.LittleEndian.AppendUint16(b, 2)
	entry := func(tag, typ uint16, count, value uint32) {
		b = binary.LittleEndian.AppendUint16(b, tag)
		b = binary.LittleEndian.AppendUint16(b, typ)
		b = binary.LittleEndian.AppendUint32(b, count)
		b = binary.LittleEndian.AppendUint32(b, value)
	}
	entry(0x0112, 3, 1, uint32(o)) // orientation, SHORT
	entry(0x011a, 4, 1, 72)        // another tag that must not move
	return binary.LittleEndian.AppendUint32(b, 0)
}

// TestUprightMetadata: a turned output says TopLeft, in its header and in
// its EXIF copy; a kept one keeps what the input said.
func TestUprightMetadata(t *testing.T) {
	h := raster.Header{Width: 4, Height: 3, Pixel: raster.RGB8, Orientation: raster.RightTop,
		Meta: raster.Metadata{EXIF: exifWith(raster.RightTop), ICC: []byte("profile")}}
	chain, turn := upright(h, filter.Chain{filter.Gaussian{Sigma: 1}}, false)
	if got := chain.String(); got != "rotate:90 blur:1" {
		t.Errorf("chain: got %q, want %q", got, "rotate:90 blur:1")
	}
	o, m := turn.orientation(h)
	if o != raster.TopLeft || raster.ExifOrientation(m.EXIF) != raster.TopLeft || string(m.ICC) != "profile" {
		t.Errorf("turned: got orientation %d, EXIF's %d, ICC %q; want 1, 1, the input's", o, raster.ExifOrientation(m.EXIF), m.ICC)
	}
	if raster.ExifOrientation(h.Meta.EXIF) != raster.RightTop {
		t.Errorf("the input's EXIF changed: its orientation is %d, want 6", raster.ExifOrientation(h.Meta.EXIF))
	}
	if len(m.EXIF) != len(h.Meta.EXIF) {
		t.Errorf("EXIF length: got %d, want %d", len(m.EXIF), len(h.Meta.EXIF))
	}

	chain, turn = upright(h, filter.Chain{filter.Gaussian{Sigma: 1}}, true)
	o, m = turn.orientation(h)
	if chain.String() != "blur:1" || o != raster.RightTop || raster.ExifOrientation(m.EXIF) != raster.RightTop {
		t.Errorf("--no-autorotate: got %q, orientation %d, EXIF's %d; want the chain and orientation 6 as they were", chain, o, raster.ExifOrientation(m.EXIF))
	}
	for _, o := range []raster.Orientation{0, raster.TopLeft, 9} {
		h.Orientation = o
		if chain, _ := upright(h, nil, false); len(chain) != 0 {
			t.Errorf("orientation %d: got %q, want no turn", o, chain)
		}
	}
}

// TestGeometryScratchRefused: a turn whose scratch file would pass
// --spill-limit fails with one line naming the flag, and writes nothing.
func TestGeometryScratchRefused(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.ppm")
	if out, err := exec.Command("sluice", "gen", "--quiet", "300x200", in).CombinedOutput(); err != nil {
		t.Fatalf("gen: %v\n%s", err, out)
	}
	out := filepath.Join(dir, "out.png")
	cmd := exec.Command("sluice", "run", "--quiet", "--spill-limit", "100KiB", in, out, "blur:1", "rotate:90")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if err == nil {
		t.Fatal("got success, want the scratch file refused")
	}
	msg := stderr.String()
	if strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "sluice: ") || !strings.Contains(msg, "--spill-limit") || !strings.Contains(msg, "rotate:90") {
		t.Errorf("stderr: got %q, want one line naming rotate:90 and --spill-limit", msg)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output exists after the failure (stat: %v)", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d files in the folder, want only the input", len(ents))
	}
}

// TestInterruptTurn interrupts a run that turns the image: exit 130, no
// output, nothing left beside it or in --tmpdir.
func TestInterruptTurn(t *testing.T) {
	dir := t.TempDir()
	scratch := t.TempDir()
	in := filepath.Join(dir, "in.ppm")
	if out, err := exec.Command("sluice", "gen", "--quiet", "2000x2000", in).CombinedOutput(); err != nil {
		t.Fatalf("gen: %v\n%s", err, out)
	}
	out := filepath.Join(dir, "out.png")
	cmd := exec.Command("sluice", "run", "--quiet", "--workers", "1", "--memory", "4MiB", "--tmpdir", scratch, in, out, "rotate:90", "median:4", "median:4")
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !hasTemp(t, dir) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the run never created its temporary file; stderr: %s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // into the turn or the filters after it
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("got %v, want exit status 130 (stderr %q)", err, stderr.String())
	}
	if hasTemp(t, dir) {
		t.Errorf("output or temporary file left beside the input")
	}
	if ents, _ := os.ReadDir(scratch); len(ents) != 0 {
		t.Errorf("%d files left in --tmpdir, want none", len(ents))
	}
}

// TestRemoteTurns checks which plan remote workers get: the whole plan, the
// segment after a leading turn (autorotate's), none when the chain only
// turns, and a refusal when filters sit on both sides of a turn.
func TestRemoteTurns(t *testing.T) {
	var remote remoteRun = func(context.Context, raster.Header, filter.Chain, *filter.Plan, *engine.Options) (func(bool), error) {
		return func(bool) {}, nil
	}
	plan := func(c filter.Chain) *filter.Plan {
		p, err := c.Plan(10, 8, raster.RGB8)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	blur := filter.Gaussian{Sigma: 1}
	plain := plan(filter.Chain{blur})
	tests := []struct {
		plan   *filter.Plan
		remote []remoteRun
		want   string // the remote plan's chain and input size, or the error
	}{
		{plain, []remoteRun{remote}, "blur:1 10×8"},
		{plain, nil, "none"},
		{plan(filter.Chain{filter.Rotate{Degrees: 90}}), []remoteRun{nil}, "none"},
		{plan(filter.Chain{filter.Rotate{Degrees: 90}}), []remoteRun{remote}, "none"},
		{plan(filter.Chain{filter.Rotate{Degrees: 90}, blur}), []remoteRun{remote}, "blur:1 8×10"},
		{plan(filter.Chain{blur, filter.Flip{}}), []remoteRun{remote}, "blur:1 10×8"},
		{plan(filter.Chain{blur, filter.Transpose{}, blur}), []remoteRun{remote}, "split it into two runs"},
	}
	for i, tt := range tests {
		rp, err := remotePlan(tt.plan, tt.remote)
		got := "none"
		switch {
		case err != nil:
			got = err.Error()
		case rp != nil:
			w, h := rp.InputSize()
			got = fmt.Sprintf("%s %d×%d", rp.Chain(), w, h)
		}
		if !strings.Contains(got, tt.want) {
			t.Errorf("case %d: got %q, want %q", i, got, tt.want)
		}
	}
}

// TestTurnScratchFull runs a turn whose scratch file cannot grow (a file
// size limit stands in for a full disk): one line saying so, exit 1, no
// output, nothing left in --tmpdir.
func TestTurnScratchFull(t *testing.T) {
	dir := t.TempDir()
	scratch := t.TempDir()
	in := filepath.Join(dir, "in.ppm")
	if out, err := exec.Command("sluice", "gen", "--quiet", "800x600", in).CombinedOutput(); err != nil {
		t.Fatalf("gen: %v\n%s", err, out)
	}
	out := filepath.Join(dir, "out.ppm")
	// ulimit -f counts blocks of 1024 bytes: 1000 is less than the 1.4 MiB
	// the scratch needs.
	cmd := exec.Command("sh", "-c", `ulimit -f 1000 && exec sluice run --quiet --memory 1MiB --tmpdir "$1" "$2" "$3" rotate:90`, "sh", scratch, in, out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("got %v, want exit status 1 (stderr %q)", err, stderr.String())
	}
	msg := stderr.String()
	if strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "sluice: rotate:90 needs a scratch image") || !strings.Contains(msg, "too large") {
		t.Errorf("stderr: got %q, want one line saying the scratch file could not grow", msg)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output exists after the failure (stat: %v)", err)
	}
	if ents, _ := os.ReadDir(scratch); len(ents) != 0 {
		t.Errorf("%d files left in --tmpdir, want none", len(ents))
	}
	if hasTemp(t, dir) {
		t.Errorf("temporary output left beside the input")
	}
}
