package raster_test

import (
	"bytes"
	"testing"

	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/synth"
)

func TestICCDescription(t *testing.T) {
	for _, tt := range []struct {
		name string
		icc  []byte
		want string
	}{
		{"synth", synth.ICCProfile(1000, "Test RGB"), "Test RGB"},
		{"long", synth.ICCProfile(100000, "A profile\x01 with a control byte"), "A profile with a control byte"},
		{"empty", nil, ""},
		{"short", make([]byte, 131), ""},
		{"cut tag", synth.ICCProfile(1000, "Test RGB")[:150], ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := raster.ICCDescription(tt.icc); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	// A tag count that lies is ignored, not followed past the end.
	icc := synth.ICCProfile(300, "x")
	icc[128], icc[129] = 0x7f, 0xff
	if got := raster.ICCDescription(icc); got != "" {
		t.Errorf("huge tag count: got %q, want \"\"", got)
	}
}

func TestExifWithOrientation(t *testing.T) {
	camera := synth.Exif(raster.RightTop)
	noOrient := synth.Exif(0)
	for _, tt := range []struct {
		name string
		exif []byte
		o    raster.Orientation
		want raster.Orientation // what the result says
		same bool               // the result is exif itself
	}{
		{"unknown keeps", camera, 0, raster.RightTop, true},
		{"same keeps", camera, raster.RightTop, raster.RightTop, true},
		{"reset", camera, raster.TopLeft, raster.TopLeft, false},
		{"none, top left", nil, raster.TopLeft, 0, true},
		{"none, turned", nil, raster.BottomRight, raster.BottomRight, false},
		{"no entry kept", noOrient, raster.LeftBottom, 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := raster.ExifWithOrientation(tt.exif, tt.o)
			if o := raster.ExifOrientation(got); o != tt.want {
				t.Errorf("got orientation %d, want %d", o, tt.want)
			}
			if same := bytes.Equal(got, tt.exif); same != tt.same {
				t.Errorf("got unchanged %v, want %v", same, tt.same)
			}
			if len(got) > 0 && !raster.ValidExif(got) {
				t.Errorf("got an invalid block % x", got)
			}
		})
	}
	if got := raster.ExifOrientation(camera); got != raster.RightTop {
		t.Errorf("ExifWithOrientation changed its argument: orientation %d", got)
	}
}

func TestValidExif(t *testing.T) {
	for _, tt := range []struct {
		exif []byte
		want bool
	}{
		{synth.Exif(1), true},
		{raster.MinimalExif(raster.TopRight), true},
		{[]byte("II*\x00\x08\x00\x00\x00"), false}, // IFD past the end
		{[]byte("Exif\x00\x00II*\x00"), false},
		{nil, false},
	} {
		if got := raster.ValidExif(tt.exif); got != tt.want {
			t.Errorf("ValidExif(% x): got %v, want %v", tt.exif, got, tt.want)
		}
	}
}

func TestICCFits(t *testing.T) {
	rgb := synth.ICCProfile(300, "x")
	gray := bytes.Clone(rgb)
	copy(gray[16:], "GRAY")
	lab := bytes.Clone(rgb)
	copy(lab[16:], "Lab ")
	for _, tt := range []struct {
		name string
		icc  []byte
		p    raster.PixelFormat
		want bool
	}{
		{"rgb/rgba16", rgb, raster.RGBA16, true},
		{"rgb/gray", rgb, raster.Gray8, false},
		{"gray/graya", gray, raster.GrayAlpha8, true},
		{"gray/rgb", gray, raster.RGB8, false},
		{"lab", lab, raster.RGB8, false},
		{"short", rgb[:100], raster.RGB8, false},
	} {
		if got := raster.ICCFits(tt.icc, tt.p); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestExifToWrite(t *testing.T) {
	camera := synth.ExifSized(raster.RightTop, 4000, 3000)
	h := raster.Header{Width: 400, Height: 300, Meta: raster.Metadata{EXIF: camera}, Orientation: raster.TopLeft}
	got := raster.ExifToWrite(h)
	if want := synth.ExifSized(raster.TopLeft, 400, 300); !bytes.Equal(got, want) {
		t.Errorf("got % x, want % x", got, want)
	}
	if !bytes.Equal(camera, synth.ExifSized(raster.RightTop, 4000, 3000)) {
		t.Errorf("ExifToWrite changed its argument")
	}
	// A SHORT cannot hold 70,000: that entry stays as it was.
	h = raster.Header{Width: 70000, Height: 70000, Meta: raster.Metadata{EXIF: camera}}
	got = raster.ExifToWrite(h)
	if want := synth.ExifSized(raster.RightTop, 70000, 3000); !bytes.Equal(got, want) {
		t.Errorf("70000×70000: got % x, want % x", got, want)
	}
	// Without size entries, or with no block, nothing but the orientation.
	plain := synth.Exif(raster.RightTop)
	if got := raster.ExifToWrite(raster.Header{Width: 5, Height: 5, Meta: raster.Metadata{EXIF: plain}}); !bytes.Equal(got, plain) {
		t.Errorf("no size entries: got % x, want the block unchanged", got)
	}
	if got := raster.ExifToWrite(raster.Header{Width: 5, Height: 5, Orientation: raster.LeftTop}); !bytes.Equal(got, raster.MinimalExif(raster.LeftTop)) {
		t.Errorf("no block: got % x, want the minimal block", got)
	}
	if got := raster.ExifToWrite(raster.Header{Width: 5, Height: 5}); got != nil {
		t.Errorf("nothing: got % x, want nil", got)
	}
}
