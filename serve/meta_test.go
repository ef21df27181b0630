package serve

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/codec"
	"github.com/sluice-go/sluice/raster/synth"
)

// TestMetadataTravels checks that a job's output carries the input's ICC
// profile, EXIF and orientation, and nothing with strip.
func TestMetadataTravels(t *testing.T) {
	_, hs := newTestServer(t, Config{})
	meta := raster.Metadata{ICC: synth.ICCProfile(90000, "served"), EXIF: synth.Exif(raster.RightTop)}
	h := raster.Header{Width: 64, Height: 40, Pixel: raster.RGB8, Meta: meta, Orientation: raster.RightTop}
	var in bytes.Buffer
	enc, err := codec.NewWriter(&in, "in.png", h, codec.WriteOptions{Format: "png"})
	if err != nil {
		t.Fatal(err)
	}
	if err := enc.WriteRows(make([]byte, h.Bytes())); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		query string
		keep  bool
	}{
		{"format=jpeg&ops=blur:1", true},
		{"format=png", true},
		{"format=jpeg&strip=true", false},
		{"format=png&strip", false},
	} {
		t.Run(tc.query, func(t *testing.T) {
			resp, got, err := post(t, hs.URL+"/run?"+tc.query, bytes.NewReader(in.Bytes()))
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("status %v (%s), err %v", resp.StatusCode, got, err)
			}
			r, err := codec.NewReader(bytes.NewReader(got), "out", codec.ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			oh := r.Header()
			gotMeta := fmt.Sprintf("icc %d, exif %d, orientation %d", len(oh.Meta.ICC), len(oh.Meta.EXIF), oh.Orientation)
			want := "icc 0, exif 0, orientation 0"
			if tc.keep {
				want = fmt.Sprintf("icc %d, exif %d, orientation %d", len(meta.ICC), len(meta.EXIF), raster.RightTop)
				if !bytes.Equal(oh.Meta.ICC, meta.ICC) || !bytes.Equal(oh.Meta.EXIF, meta.EXIF) {
					t.Errorf("the metadata's bytes changed")
				}
			}
			if gotMeta != want {
				t.Errorf("got %s, want %s", gotMeta, want)
			}
		})
	}
}
