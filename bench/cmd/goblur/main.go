// Command goblur runs one filter of a Go image library on a whole image, as
// a peer in bench/run: it decodes the input with the Go decoders, filters
// it with disintegration/imaging or anthonynsimon/bild, and encodes the
// output in the format of its extension.
//
//	goblur -lib imaging|bild -op blur|sharpen [-sigma 2] [-quality 90] IN OUT
//	goblur -version
//
// blur is a Gaussian of standard deviation sigma (imaging.Blur(sigma),
// bild's blur.Gaussian(sigma), whose kernel stops at one sigma); sharpen is
// imaging.Sharpen(sigma), an unsharp mask of amount 1.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/anthonynsimon/bild/blur"
	"github.com/disintegration/imaging"
	"golang.org/x/image/tiff"
)

func main() {
	lib := flag.String("lib", "imaging", "library: imaging or bild")
	op := flag.String("op", "blur", "operation: blur or sharpen")
	sigma := flag.Float64("sigma", 0, "standard deviation (default 2 for blur, 1 for sharpen)")
	quality := flag.Int("quality", 90, "JPEG quality of the output")
	version := flag.Bool("version", false, "print the versions of the image libraries and exit")
	flag.Parse()
	if *version {
		printVersions()
		return
	}
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: goblur -lib imaging|bild -op blur|sharpen [-sigma S] IN OUT")
		os.Exit(2)
	}
	if err := run(*lib, *op, *sigma, *quality, flag.Arg(0), flag.Arg(1)); err != nil {
		fmt.Fprintln(os.Stderr, "goblur:", err)
		os.Exit(1)
	}
}

func run(lib, op string, sigma float64, quality int, in, out string) error {
	if sigma == 0 {
		sigma = map[string]float64{"blur": 2, "sharpen": 1}[op]
	}
	filter, err := pick(lib, op)
	if err != nil {
		return err
	}
	src, err := decode(in)
	if err != nil {
		return err
	}
	return encode(out, filter(src, sigma), quality)
}

// printVersions prints the module version of each image library built in.
func printVersions() {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		fmt.Println("unknown")
		return
	}
	for _, m := range info.Deps {
		switch m.Path {
		case "github.com/disintegration/imaging", "github.com/anthonynsimon/bild", "golang.org/x/image":
			fmt.Println(m.Path, m.Version)
		}
	}
}

// pick returns the filter of lib named op.
func pick(lib, op string) (func(image.Image, float64) image.Image, error) {
	switch lib + "/" + op {
	case "imaging/blur":
		return func(m image.Image, s float64) image.Image { return imaging.Blur(m, s) }, nil
	case "imaging/sharpen":
		return func(m image.Image, s float64) image.Image { return imaging.Sharpen(m, s) }, nil
	case "bild/blur":
		return func(m image.Image, s float64) image.Image { return blur.Gaussian(m, s) }, nil
	}
	return nil, fmt.Errorf("no operation %q in library %q", op, lib)
}

func decode(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	var m image.Image
	switch strings.ToLower(filepath.Ext(path)) {
	case ".ppm":
		m, err = decodePPM(r)
	case ".png":
		m, err = png.Decode(r)
	case ".jpg", ".jpeg":
		m, err = jpeg.Decode(r)
	case ".tif", ".tiff":
		m, err = tiff.Decode(r)
	default:
		return nil, fmt.Errorf("%s: unknown input format", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

func encode(path string, m image.Image, quality int) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	w := bufio.NewWriterSize(f, 1<<20)
	switch strings.ToLower(filepath.Ext(path)) {
	case ".ppm":
		err = encodePPM(w, m)
	case ".png":
		err = png.Encode(w, m)
	case ".jpg", ".jpeg":
		err = jpeg.Encode(w, m, &jpeg.Options{Quality: quality})
	case ".tif", ".tiff":
		err = tiff.Encode(w, m, nil)
	default:
		err = errors.New("unknown output format")
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return w.Flush()
}
