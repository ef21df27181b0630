package raster

import (
	"errors"
	"fmt"
	"image"
	"io"
	"strings"
	"testing"
)

func TestPixelFormat(t *testing.T) {
	tests := []struct {
		pf           PixelFormat
		name         string
		bpp          int
		alpha, color bool
		max          int
	}{
		{Gray8, "gray8", 1, false, false, 255},
		{GrayAlpha8, "graya8", 2, true, false, 255},
		{RGB8, "rgb8", 3, false, true, 255},
		{RGBA8, "rgba8", 4, true, true, 255},
		{Gray16, "gray16", 2, false, false, 65535},
		{GrayAlpha16, "graya16", 4, true, false, 65535},
		{RGB16, "rgb16", 6, false, true, 65535},
		{RGBA16, "rgba16", 8, true, true, 65535},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.pf.String(); got != tt.name {
				t.Errorf("String: got %q, want %q", got, tt.name)
			}
			if got := tt.pf.BytesPerPixel(); got != tt.bpp {
				t.Errorf("BytesPerPixel: got %d, want %d", got, tt.bpp)
			}
			if got := tt.pf.HasAlpha(); got != tt.alpha {
				t.Errorf("HasAlpha: got %v, want %v", got, tt.alpha)
			}
			if got := tt.pf.Color(); got != tt.color {
				t.Errorf("Color: got %v, want %v", got, tt.color)
			}
			if got := tt.pf.MaxValue(); got != tt.max {
				t.Errorf("MaxValue: got %d, want %d", got, tt.max)
			}
			back, err := ParsePixelFormat(tt.name)
			if err != nil || back != tt.pf {
				t.Errorf("ParsePixelFormat(%q): got %v, %v, want %v", tt.name, back, err, tt.pf)
			}
		})
	}
	for _, bad := range []PixelFormat{{}, {5, 8}, {3, 12}, {0, 16}} {
		if bad.Valid() {
			t.Errorf("%+v: got valid, want invalid", bad)
		}
		if !strings.HasPrefix(bad.String(), "invalid") {
			t.Errorf("%+v: String got %q, want it to say invalid", bad, bad.String())
		}
	}
	if _, err := ParsePixelFormat("cmyk8"); err == nil {
		t.Error("ParsePixelFormat(cmyk8): got no error, want one")
	}
}

func TestHeader(t *testing.T) {
	h := Header{Width: 10, Height: 4, Pixel: RGB16, TileWidth: 16, TileHeight: 16}
	if got := h.RowBytes(); got != 60 {
		t.Errorf("RowBytes: got %d, want 60", got)
	}
	if got := h.Bytes(); got != 240 {
		t.Errorf("Bytes: got %d, want 240", got)
	}
	if !h.Tiled() {
		t.Error("Tiled: got false, want true")
	}
	if got := h.Bounds(); got != image.Rect(0, 0, 10, 4) {
		t.Errorf("Bounds: got %v", got)
	}
	// A 100,000² RGB16 image must not overflow.
	big := Header{Width: 100_000, Height: 100_000, Pixel: RGBA16}
	if got, want := big.Bytes(), int64(100_000)*100_000*8; got != want {
		t.Errorf("Bytes of a huge image: got %d, want %d", got, want)
	}
}

func TestLimits(t *testing.T) {
	var l Limits // the zero value means the defaults
	tests := []struct {
		name string
		w, h int
		ok   bool
		want string
	}{
		{"small", 10, 10, true, ""},
		{"100k square", 100_000, 100_000, true, ""},
		{"zero width", 0, 10, false, "must be positive"},
		{"negative height", 10, -1, false, "must be positive"},
		{"too wide", 2_000_000, 1, false, "width exceeds"},
		{"too tall", 1, 2_000_000, false, "height exceeds"},
		{"too many pixels", 1_000_000, 1_000_000, false, "pixels exceed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := l.Check("png", tt.w, tt.h)
			if tt.ok {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			var le *LimitError
			if !errors.As(err, &le) {
				t.Fatalf("got %v, want a *LimitError", err)
			}
			if !strings.HasPrefix(err.Error(), "png: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q, want it to start with png: and say %q", err, tt.want)
			}
		})
	}
	custom := Limits{MaxWidth: 100}
	if err := custom.Check("pnm", 101, 1); err == nil {
		t.Error("custom MaxWidth: got no error for 101, want one")
	}
	if err := custom.Check("pnm", 100, 500_000); err != nil {
		t.Errorf("custom MaxWidth leaves other defaults: got %v", err)
	}
}

func TestCheckWhole(t *testing.T) {
	l := Limits{MaxWholePixels: 1000}
	if err := l.CheckWhole("jpeg", 10, 100, 3); err != nil {
		t.Fatalf("at the limit: got %v, want nil", err)
	}
	err := l.CheckWhole("jpeg", 1024, 1024, 4)
	if err == nil {
		t.Fatal("over the limit: got nil, want an error")
	}
	// The message states the memory whole decoding would take.
	if !strings.Contains(err.Error(), "4.0 MiB") || !strings.Contains(err.Error(), "decoded whole") {
		t.Errorf("got %q, want it to state 4.0 MiB and why", err)
	}
}

func TestFormatBytes(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"},
		{64 << 20, "64.0 MiB"}, {3 << 30, "3.0 GiB"}, {5 << 40, "5.0 TiB"},
	}
	for _, tt := range tests {
		if got := FormatBytes(tt.n); got != tt.want {
			t.Errorf("FormatBytes(%d): got %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestTile(t *testing.T) {
	tl := NewTile(image.Rect(10, 20, 14, 23), RGB8) // 4×3
	if tl.Stride != 12 || len(tl.Pix) != 36 {
		t.Fatalf("NewTile: got stride %d len %d, want 12 and 36", tl.Stride, len(tl.Pix))
	}
	for i := range tl.Pix {
		tl.Pix[i] = byte(i)
	}
	if got := tl.PixOffset(11, 21); got != 15 {
		t.Errorf("PixOffset(11,21): got %d, want 15", got)
	}
	if got := tl.Row(22); got[0] != 24 || len(got) != 12 {
		t.Errorf("Row(22): got %v, want 12 bytes from 24", got)
	}
	sub := tl.Sub(image.Rect(12, 21, 14, 23))
	if sub.Pix[0] != 18 || sub.Stride != 12 {
		t.Errorf("Sub: first byte %d stride %d, want 18 and 12", sub.Pix[0], sub.Stride)
	}
	if got := sub.Row(22); got[0] != 30 || len(got) != 6 {
		t.Errorf("Sub.Row(22): got %v, want 6 bytes from 30", got)
	}
	if e := tl.Sub(image.Rect(12, 21, 12, 21)); e.Pix != nil {
		t.Errorf("empty Sub: got %d bytes, want none", len(e.Pix))
	}
	defer func() {
		if recover() == nil {
			t.Error("Sub outside the tile: got no panic, want one")
		}
	}()
	tl.Sub(image.Rect(0, 0, 12, 22))
}

func TestErrors(t *testing.T) {
	if got := (&FormatError{Format: "tiff", Offset: 1234, Msg: "bad IFD"}).Error(); got != "tiff: at byte 1234: bad IFD" {
		t.Errorf("got %q", got)
	}
	if got := (&FormatError{Format: "png", Offset: -1, Msg: "no IDAT"}).Error(); got != "png: no IDAT" {
		t.Errorf("got %q", got)
	}
	tr := Truncated("pnm", 7, "truncated header")
	if got := tr.Error(); got != "pnm: at byte 7: truncated header" {
		t.Errorf("got %q", got)
	}
	if !errors.Is(fmt.Errorf("x.pnm: %w", tr), io.ErrUnexpectedEOF) {
		t.Errorf("Truncated: errors.Is(err, io.ErrUnexpectedEOF) got false, want true")
	}
	if got := (&UnsupportedError{"tiff", "JPEG compression (7)"}).Error(); got != "tiff: unsupported JPEG compression (7)" {
		t.Errorf("got %q", got)
	}
}

func TestFormats(t *testing.T) {
	seen := map[PixelFormat]bool{}
	for _, f := range Formats() {
		if !f.Valid() {
			t.Errorf("%v: not valid", f)
		}
		if seen[f] {
			t.Errorf("%v listed twice", f)
		}
		seen[f] = true
	}
	if len(seen) != 8 {
		t.Errorf("got %d formats, want 8", len(seen))
	}
}
