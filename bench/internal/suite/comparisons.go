package suite

import (
	"slices"
	"strconv"
)

// FullSize is the side of the images in the full run.
const FullSize = 10_000

// QuickSize is the side of the images in the quick run.
const QuickSize = 2_000

// sharpenKernel is the 3×3 kernel of the libvips benchmark: it sums to 8,
// and every tool divides by the sum.
const sharpenKernel = "-1,-1,-1,-1,16,-1,-1,-1,-1"

// Notes that say where a peer does different work from sluice.
const (
	noteVipsBlur = "shorter kernel: libvips cuts its Gaussian where it falls below 0.2 of the peak " +
		"(radius 3 at σ=2, 7 taps); sluice keeps radius 3σ = 6 (13 taps)"
	noteVipsBlurAmpl = "same kernel radius as sluice (6 at σ=2)"
	noteIMBlur       = "works in 16-bit (Q16) floating point; kernel radius chosen by ImageMagick"
	noteBildBlur     = "shorter kernel: bild.Gaussian(2) has σ=2 but radius 2 (5 taps; sluice: 13)"
	noteWhole        = "decodes the whole image into memory"
)

// blurTools are the peers of the Gaussian blur σ=2 comparisons, writing
// format ext with matching settings (JPEG quality 90, PNG deflate level 6).
func blurTools(ext string) []Tool {
	sluiceArgs := []string{"run", "--quiet", "{in}", "{out}", "blur:2"}
	vipsOut, imOpts := "{out}", []string{}
	switch ext {
	case "jpg":
		sluiceArgs = append(sluiceArgs, "--quality", "90")
		vipsOut, imOpts = "{out}[Q=90]", []string{"-quality", "90"}
	case "png":
		sluiceArgs = append(sluiceArgs, "--level", "6")
		// ImageMagick reads PNG quality as zlib level × 10 + filter (5 =
		// adaptive).
		vipsOut, imOpts = "{out}[compression=6]", []string{"-quality", "65"}
	}
	im := append([]string{"{in}", "-gaussian-blur", "0x2"}, imOpts...)
	gm := append([]string{"convert", "{in}", "-gaussian", "0x2"}, imOpts...)
	return []Tool{
		{Name: "sluice", Program: "sluice", Args: sluiceArgs},
		{Name: "vips", Program: "vips", Args: []string{"gaussblur", "{in}", vipsOut, "2"}, Note: noteVipsBlur},
		{Name: "vips --min-ampl 0.011", Program: "vips", Args: []string{"gaussblur", "{in}", vipsOut, "2", "--min-ampl", "0.011"}, Note: noteVipsBlurAmpl},
		{Name: "ImageMagick", Program: "convert", Args: append(im, "{out}"), Note: noteWhole + "; " + noteIMBlur},
		{Name: "GraphicsMagick", Program: "gm", Args: append(gm, "{out}"), Note: noteWhole + "; 16-bit (Q16)"},
		{Name: "imaging", Program: "goblur", Args: []string{"-lib", "imaging", "-op", "blur", "-quality", "90", "{in}", "{out}"}, Note: noteWhole + " (Go std decoders)"},
		{Name: "bild", Program: "goblur", Args: []string{"-lib", "bild", "-op", "blur", "-quality", "90", "{in}", "{out}"}, Note: noteWhole + "; " + noteBildBlur},
	}
}

// Full returns the comparisons of the full run, in the order they run:
// grouped by input so that each input can be deleted after its last use.
func Full() []Comparison {
	ppm := Input{Size: FullSize, Ext: "ppm"}
	tif := Input{Size: FullSize, Ext: "tif"}
	full := []Comparison{
		{Name: "blur-ppm", Work: "Gaussian blur σ=2, PPM→PPM", Input: ppm, OutExt: "ppm", Tools: blurTools("ppm")},
		rotate(ppm),
		jpegEncode(ppm),
		{Name: "blur-tif", Work: "Gaussian blur σ=2, TIFF→TIFF", Input: tif, OutExt: "tif", Tools: blurTools("tif"), Scaling: true},
		{Name: "sharpen-tif", Work: "sharpen (unsharp mask σ=1, amount 1), TIFF→TIFF", Input: tif, OutExt: "tif", Tools: sharpenTools()},
		{Name: "median-tif", Work: "median 5×5, TIFF→TIFF", Input: tif, OutExt: "tif", Tools: medianTools()},
		{Name: "dist", Work: "median 9×9 (median:4) and 17×17 (median:8), TIFF→TIFF, alone and as the coordinator of 2 worker processes over the embedded NATS server",
			Input: tif, OutExt: "tif", Tools: distTools()},
		{Name: "blur-png", Work: "Gaussian blur σ=2, PNG→PNG", Input: Input{Size: FullSize, Ext: "png"}, OutExt: "png", Tools: blurTools("png")},
		{Name: "blur-jpg", Group: "jpeg", Work: "Gaussian blur σ=2, JPEG→JPEG", Input: Input{Size: FullSize, Ext: "jpg"}, OutExt: "jpg", Tools: blurTools("jpg")},
		jpegThumbnail(),
		jpegDecode(Input{Size: FullSize, Ext: "jpg"}, "jpeg-decode"),
		jpegDecode(Input{Size: FullSize, Ext: "jpg", By: "cjpeg"}, "jpeg-decode-cjpeg"),
		jpegBlur30k(),
		{Name: "vips-bench", Work: "the libvips benchmark: crop 100 px from each edge, shrink 10%, 3×3 sharpen, tiled TIFF in and out",
			Input: Input{Size: FullSize, Ext: "tif", Tiled: true}, OutExt: "tif", Tools: vipsBenchTools()},
		scaling(20_000, true),
		scaling(30_000, false),
	}
	// The chains on the RGB8 TIFF run beside the other users of that input,
	// so that it can be deleted after them; the other formats come last.
	var rgb, other []Comparison
	for _, c := range Chains(FullSize) {
		if c.Input == tif {
			rgb = append(rgb, c)
		} else {
			other = append(other, c)
		}
	}
	i := slices.IndexFunc(full, func(c Comparison) bool { return c.Name == "median-tif" }) + 1
	full = slices.Insert(full, i, rgb...)
	return append(full, other...)
}

// Quick returns a small subset for CI and developers: three comparisons on
// 2,000 × 2,000 images, which with three runs each take well under two
// minutes on two cores.
func Quick() []Comparison {
	var out []Comparison
	for _, c := range Full() {
		switch c.Name {
		case "blur-ppm", "sharpen-tif", "median-tif":
			c.Input.Size = QuickSize
			out = append(out, c)
		}
	}
	return out
}

func sharpenTools() []Tool {
	return []Tool{
		{Name: "sluice", Program: "sluice", Args: []string{"run", "--quiet", "{in}", "{out}", "sharpen"}},
		{Name: "vips", Program: "vips", Args: []string{"sharpen", "{in}", "{out}", "--sigma", "1"},
			Note: "sharpens lightness only, in CIELAB, with a non-linear gain curve"},
		{Name: "ImageMagick", Program: "convert", Args: []string{"{in}", "-unsharp", "0x1+1+0", "{out}"}, Note: noteWhole + "; 16-bit (Q16)"},
		{Name: "imaging", Program: "goblur", Args: []string{"-lib", "imaging", "-op", "sharpen", "{in}", "{out}"}, Note: noteWhole + " (Go std decoders)"},
	}
}

func medianTools() []Tool {
	return []Tool{
		{Name: "sluice", Program: "sluice", Args: []string{"run", "--quiet", "{in}", "{out}", "median:2"}},
		{Name: "sluice --workers 1", Program: "sluice", Args: []string{"run", "--quiet", "--workers", "1", "{in}", "{out}", "median:2"},
			Note: "one filter worker: the ratio is what the second core gives"},
		// vips median is rank with the middle index; the command line has
		// only rank.
		{Name: "vips", Program: "vips", Args: []string{"rank", "{in}", "{out}", "5", "5", "12"}},
		{Name: "ImageMagick", Program: "convert", Args: []string{"{in}", "-statistic", "Median", "5x5", "{out}"}, Note: noteWhole + "; 16-bit (Q16)"},
	}
}

func vipsBenchTools() []Tool {
	// As in the libvips benchmark's own scripts: three vips commands joined
	// by files in vips' native format, which it maps into memory.
	vipsScript := "vips extract_area {in} {tmp}/t1.v 100 100 {crop} {crop} && " +
		"vips similarity {tmp}/t1.v {tmp}/t2.v --scale 0.9 --interpolate bilinear && " +
		"vips conv {tmp}/t2.v '{out}[tile,tile-width=128,tile-height=128]' {mask}"
	return []Tool{
		{Name: "sluice", Program: "sluice", Args: []string{"run", "--quiet", "--tiled", "--tile", "128", "{in}", "{out}",
			"crop:100,100,{crop},{crop}", "resize:0.9", "conv:" + sharpenKernel},
			Note: "does more work: shrinks with Lanczos-3 over 3.3 input pixels either side, where vips similarity interpolates bilinearly"},
		{Name: "vips", Program: "sh", Args: []string{"-c", vipsScript}},
		{Name: "ImageMagick", Program: "convert", Args: []string{"{in}", "-crop", "{crop}x{crop}+100+100", "+repage",
			"-resize", "90%", "-convolve", sharpenKernel, "-define", "tiff:tile-geometry=128x128", "{out}"},
			Note: noteWhole + "; 16-bit (Q16)"},
	}
}

// distScript runs ops distributed on this machine: an embedded server,
// two worker processes of one filter goroutine each, and a coordinator
// that only coordinates (--local-workers 0); the server and the workers
// are stopped with SIGTERM after the run. Its time includes starting
// them, about half a second. Commands run from the work directory, where
// bench/run builds sluice as ./bin/sluice. The server's log of an earlier
// run is removed first, or the wait for it could end at once; whatever
// the script started is stopped however it ends, or a server left behind
// would hold the runner's output open.
func distScript(ops string) string {
	return `set -e
S=./bin/sluice; D={tmp}/cluster; U=nats://127.0.0.1:14222
rm -f {tmp}/cluster.log
$S cluster --listen 127.0.0.1:14222 --store $D > {tmp}/cluster.log & C=$!
trap 'kill -TERM $C ${W1:-} ${W2:-} 2>/dev/null || true; wait' EXIT
until grep -q listening {tmp}/cluster.log 2>/dev/null; do sleep 0.05; done
$S worker $U --creds $D/worker.creds --workers 1 --quiet & W1=$!
$S worker $U --creds $D/worker.creds --workers 1 --quiet & W2=$!
$S run --quiet --nats $U --creds $D/run.creds --local-workers 0 {in} {out} ` + ops + `
kill -TERM $W1 $W2; wait $W1 $W2; kill -TERM $C; wait $C`
}

// distTools are median:4 alone and distributed, and a chain twice as
// heavy per pixel (median:8, 17×17) the same two ways: the machinery
// costs about the same per byte whatever the chain, so the heavier the
// chain the smaller its share.
func distTools() []Tool {
	const note = "the same work and bytes through NATS JetStream on loopback; the machine has 2 cores, so this measures the machinery, not a speed-up"
	return []Tool{
		{Name: "sluice", Program: "sluice", Args: []string{"run", "--quiet", "{in}", "{out}", "median:4"}},
		{Name: "sluice, coordinator + 2 worker processes", Program: "sh", Args: []string{"-c", distScript("median:4")}, Note: note},
		{Name: "sluice median:8", Program: "sluice", Args: []string{"run", "--quiet", "{in}", "{out}", "median:8"},
			Note: "a heavier chain (17×17), for the share of the machinery: compare with the next row"},
		{Name: "sluice median:8, coordinator + 2 worker processes", Program: "sh", Args: []string{"-c", distScript("median:8")}, Note: note},
	}
}

// scaling is blur σ=2 TIFF→TIFF at size², for the memory chart. ImageMagick
// takes part where its whole-image buffers fit in memory.
func scaling(size int, withIM bool) Comparison {
	var tools []Tool
	for _, t := range blurTools("tif") {
		switch t.Name {
		case "sluice", "vips", "vips --min-ampl 0.011":
			tools = append(tools, t)
		case "ImageMagick":
			if withIM {
				tools = append(tools, t)
			}
		}
	}
	return Comparison{
		Name: "blur-tif-" + itoaK(size), Work: "Gaussian blur σ=2, TIFF→TIFF",
		Input: Input{Size: size, Ext: "tif"}, OutExt: "tif", Tools: tools, Scaling: true,
	}
}

// itoaK writes 20000 as "20k".
func itoaK(n int) string {
	if n%1000 == 0 {
		return strconv.Itoa(n/1000) + "k"
	}
	return strconv.Itoa(n)
}

// jpegDecode is JPEG→PPM, decoding alone, on a file written by sluice
// (restart markers every band) or by cjpeg (none).
func jpegDecode(in Input, name string) Comparison {
	return Comparison{
		Name: name, Group: "jpeg", Work: "JPEG→PPM (decode alone)", Input: in, OutExt: "ppm",
		Tools: []Tool{
			{Name: "sluice", Program: "sluice", Args: []string{"run", "--quiet", "{in}", "{out}"}},
			{Name: "vips", Program: "vips", Args: []string{"copy", "{in}", "{out}"}},
			{Name: "djpeg", Program: "djpeg", Args: []string{"-outfile", "{out}", "{in}"}, Note: "one thread"},
		},
	}
}

// jpegEncode is PPM→JPEG at quality 90, 4:2:0, encoding alone.
func jpegEncode(in Input) Comparison {
	return Comparison{
		Name: "jpeg-encode", Group: "jpeg", Work: "PPM→JPEG quality 90 (encode alone)", Input: in, OutExt: "jpg",
		Tools: []Tool{
			{Name: "sluice", Program: "sluice", Args: []string{"run", "--quiet", "--quality", "90", "{in}", "{out}"}},
			{Name: "vips", Program: "vips", Args: []string{"copy", "{in}", "{out}[Q=90,subsample-mode=on]"},
				Note: "subsample-mode=on: 4:2:0 like the others (vips' default at Q ≥ 90 is 4:4:4)"},
			{Name: "cjpeg", Program: "cjpeg", Args: []string{"-quality", "90", "-outfile", "{out}", "{in}"}, Note: "one thread"},
		},
	}
}

// jpegThumbnail is resize:0.1 JPEG→JPEG, a thumbnail: every tool decodes
// the JPEG at a reduced size (shrink-on-load) before the resize.
func jpegThumbnail() Comparison {
	return Comparison{
		Name: "thumbnail-jpg", Group: "jpeg", Work: "resize:0.1 JPEG→JPEG quality 90 (a thumbnail)",
		Input: Input{Size: FullSize, Ext: "jpg"}, OutExt: "jpg",
		Tools: []Tool{
			{Name: "sluice", Program: "sluice", Args: []string{"run", "--quiet", "--quality", "90", "{in}", "{out}", "resize:0.1"}},
			{Name: "vipsthumbnail", Program: "vipsthumbnail", Args: []string{"{in}", "--size", "1000", "-o", "{out}[Q=90]"},
				Note: "--size 1000: the longer side; shrink-on-load, then a Lanczos-3 reduce"},
			{Name: "sharp", Program: "node", Args: []string{"../sharp/run.js", "{in}", "{out}", "resize:0.1"}, Note: noteSharpResize},
		},
	}
}

// jpegBlur30k is blur σ=2 JPEG→JPEG at 30,000²: peak memory against the
// 10,000² row.
func jpegBlur30k() Comparison {
	var tools []Tool
	for _, t := range blurTools("jpg") {
		if t.Name == "sluice" || t.Name == "vips" {
			tools = append(tools, t)
		}
	}
	return Comparison{
		Name: "blur-jpg-30k", Group: "jpeg", Work: "Gaussian blur σ=2, JPEG→JPEG",
		Input: Input{Size: 30_000, Ext: "jpg"}, OutExt: "jpg", Tools: tools,
	}
}
