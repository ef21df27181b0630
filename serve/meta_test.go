package serve

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/codec"
	"github.com/sluice-go/sluice/raster/synth"
)

// TestMetadataTravels checks that a job's output carries the input's ICC
// profile, EXIF and orientation, and nothing with strip; and that an
// image stored on its side comes out upright, as from `sluice run`, unless
// the request says autorotate=false.
func TestMetadataTravels(t *testing.T) {
	_, hs := newTestServer(t, Config{})
	meta := raster.Metadata{ICC: synth.ICCProfile(90000, "served"), EXIF: synth.Exif(raster.RightTop)}
	h := raster.Header{Width: 64, Height: 40, Pixel: raster.RGB8, Meta: meta, Orientation: raster.RightTop}
	var in bytes.Buffer
	enc, err := codec.NewWriter(&in, "in.png", h, codec.WriteOptions{Format: "png"})
	if err != nil {
		t.Fatal(err)
	}
	pix := make([]byte, h.Bytes())
	for i := range pix {
		pix[i] = byte(i * 7 / 3)
	}
	if err := enc.WriteRows(pix); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	// job returns the decoded output of a query.
	job := func(t *testing.T, query string) (raster.Header, []byte) {
		t.Helper()
		resp, got, err := post(t, hs.URL+"/run?"+query, bytes.NewReader(in.Bytes()))
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("status %v (%s), err %v", resp.StatusCode, got, err)
		}
		r, err := codec.NewReader(bytes.NewReader(got), "out", codec.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		oh := r.Header()
		out := make([]byte, oh.Bytes())
		for at := 0; at < len(out); {
			n, err := r.ReadRows(out[at:])
			at += n * oh.RowBytes()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		return oh, out
	}
	_, turned := job(t, "format=png&autorotate=false&ops=rotate:90")
	for _, tc := range []struct {
		query      string
		keep, turn bool
	}{
		{"format=jpeg&ops=blur:1&autorotate=false", true, false},
		{"format=png&autorotate=false", true, false},
		{"format=png", true, true},
		{"format=png&autorotate=true", true, true},
		{"format=jpeg&strip=true&autorotate=false", false, false},
		{"format=png&strip", false, true},
	} {
		t.Run(tc.query, func(t *testing.T) {
			oh, out := job(t, tc.query)
			size := fmt.Sprintf("%d×%d", oh.Width, oh.Height)
			gotMeta := fmt.Sprintf("icc %d, exif %d, orientation %d", len(oh.Meta.ICC), len(oh.Meta.EXIF), oh.Orientation)
			want, wantSize := "icc 0, exif 0, orientation 0", "64×40"
			if tc.turn {
				wantSize = "40×64"
				if oh.Format == "png" && !bytes.Equal(out, turned) {
					t.Errorf("the pixels are not those of rotate:90")
				}
			}
			switch {
			case tc.keep && tc.turn:
				want = fmt.Sprintf("icc %d, exif %d, orientation %d", len(meta.ICC), len(meta.EXIF), raster.TopLeft)
				if o := raster.ExifOrientation(oh.Meta.EXIF); o != raster.TopLeft {
					t.Errorf("the EXIF says orientation %d, want %d once turned", o, raster.TopLeft)
				}
				if !bytes.Equal(oh.Meta.ICC, meta.ICC) {
					t.Errorf("the profile's bytes changed")
				}
			case tc.keep:
				want = fmt.Sprintf("icc %d, exif %d, orientation %d", len(meta.ICC), len(meta.EXIF), raster.RightTop)
				if !bytes.Equal(oh.Meta.ICC, meta.ICC) || !bytes.Equal(oh.Meta.EXIF, meta.EXIF) {
					t.Errorf("the metadata's bytes changed")
				}
			}
			if gotMeta != want || size != wantSize {
				t.Errorf("got %s, %s, want %s, %s", size, gotMeta, wantSize, want)
			}
		})
	}
}
