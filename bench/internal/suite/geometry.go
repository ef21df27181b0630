package suite

// rotate is the quarter-turn comparison: sluice turns the image through a
// scratch file in bounded memory; vips rot and ImageMagick hold it whole.
func rotate(in Input) Comparison {
	return Comparison{Name: "rotate-ppm", Group: "geometry", Work: "rotate 90° clockwise, PPM→PPM", Input: in, OutExt: "ppm",
		Tools: []Tool{
			{Name: "sluice", Program: "sluice", Args: []string{"run", "--quiet", "{in}", "{out}", "rotate:90"},
				Note: "through a scratch file in the temporary folder, in tiles"},
			{Name: "vips", Program: "vips", Args: []string{"rot", "{in}", "{out}", "d90"}, Note: noteWhole},
			{Name: "ImageMagick", Program: "convert", Args: []string{"{in}", "-rotate", "90", "{out}"}, Note: noteWhole + "; 16-bit (Q16)"},
		}}
}
