package main

import (
	"bufio"
	"bytes"
	"image"
	"image/color"
	"strings"
	"testing"
)

func TestPPMRoundTrip(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 3, 2))
	for i := range src.Pix {
		src.Pix[i] = byte(i * 11)
	}
	for i := 3; i < len(src.Pix); i += 4 {
		src.Pix[i] = 255
	}
	var buf bytes.Buffer
	if err := encodePPM(&buf, src); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.Len(), len("P6\n3 2\n255\n")+3*2*3; got != want {
		t.Fatalf("encoded size: got %d, want %d", got, want)
	}
	got, err := decodePPM(bufio.NewReader(&buf))
	if err != nil {
		t.Fatal(err)
	}
	for y := range 2 {
		for x := range 3 {
			if g, w := got.At(x, y), color.RGBAModel.Convert(src.At(x, y)); g != w {
				t.Errorf("pixel %d,%d: got %v, want %v", x, y, g, w)
			}
		}
	}
}

func TestDecodePPMErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"ascii", "P3\n1 1\n255\n0 0 0\n", "not a binary PPM"},
		{"16-bit", "P6\n1 1\n65535\n\x00\x00\x00\x00\x00\x00", "maxval 65535"},
		{"huge", "P6\n100000 100000\n255\n", "out of range"},
		{"zero", "P6\n0 5\n255\n", "out of range"},
		{"truncated", "P6\n2 2\n255\n\x01\x02", "row 0"},
		{"comment then bad", "P6\n# hi\nx 2\n255\n", "bad header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodePPM(bufio.NewReader(strings.NewReader(tt.in)))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestPick(t *testing.T) {
	for _, c := range []struct {
		lib, op string
		ok      bool
	}{{"imaging", "blur", true}, {"imaging", "sharpen", true}, {"bild", "blur", true}, {"bild", "sharpen", false}, {"x", "blur", false}} {
		_, err := pick(c.lib, c.op)
		if (err == nil) != c.ok {
			t.Errorf("pick(%s, %s): got error %v, want ok=%v", c.lib, c.op, err, c.ok)
		}
	}
}
