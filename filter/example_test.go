package filter_test

import (
	"fmt"
	"image"

	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/raster"
)

func ExampleParse() {
	op, err := filter.Parse("sharpen:2")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(op, op.Halo())
	_, err = filter.Parse("blur:0")
	fmt.Println(err)
	// Output:
	// sharpen:2,1,0 6
	// filter: blur: sigma must be in (0, 300], got 0
}

func ExampleParseChain() {
	c, err := filter.ParseChain([]string{"blur:1.5", "median:1", "invert"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(c), c)
	// Output:
	// 3 blur:1.5 median:1 invert
}

func ExampleChain_Plan() {
	c, _ := filter.ParseChain([]string{"blur:1", "shrink:2", "gray"})
	p, err := c.Plan(640, 480, raster.RGB8)
	if err != nil {
		fmt.Println(err)
		return
	}
	w, h := p.OutputSize()
	fmt.Println(w, h, p.Output(), p.Halo())
	// The source pixels needed for the output's top-left 10×10 pixels.
	fmt.Println(p.SourceRect(image.Rect(0, 0, 10, 10)))
	// Output:
	// 320 240 gray8 3
	// (0,0)-(23,23)
}

func ExamplePlan_Run() {
	// A 4×1 gray image with one bright pixel, dilated by one pixel.
	src := raster.NewTile(image.Rect(0, 0, 4, 1), raster.Gray8)
	copy(src.Pix, []byte{0, 0, 200, 0})
	p, err := filter.Chain{filter.Dilate{R: 1}}.Plan(4, 1, raster.Gray8)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Compute the output in two tiles, each from the source pixels it needs.
	dst := raster.NewTile(image.Rect(0, 0, 4, 1), p.Output())
	for _, r := range []image.Rectangle{image.Rect(0, 0, 2, 1), image.Rect(2, 0, 4, 1)} {
		if err := p.Run(dst.Sub(r), src.Sub(p.SourceRect(r))); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println(dst.Pix)
	// Output:
	// [0 200 200 200]
}

func ExamplePlan_Segments() {
	// rotate:90 then flip make one turn: transverse, orientation 7.
	c, _ := filter.ParseChain([]string{"blur:2", "rotate:90", "flip", "shrink:2"})
	p, err := c.Plan(640, 480, raster.RGB8)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range p.Segments() {
		w, h := s.Plan.OutputSize()
		fmt.Printf("turn %d, then %q: %d×%d\n", s.Turn, s.Plan.Chain(), w, h)
	}
	fmt.Println(p.OutputSize())
	// Output:
	// turn 1, then "blur:2": 640×480
	// turn 7, then "shrink:2": 240×320
	// 240 320
}

func ExampleUpright() {
	// A photo whose EXIF says it is stored a quarter turn anticlockwise.
	op := filter.Upright(raster.RightTop)
	fmt.Println(op)
	// Output:
	// rotate:90
}
