package pngio

import "io"

// adam7 lists the seven passes of Adam7 interlacing: the offset and step of
// the pixels each pass holds, across and down.
var adam7 = [7]struct{ x0, y0, dx, dy int }{
	{0, 0, 8, 8},
	{4, 0, 8, 8},
	{0, 4, 4, 8},
	{2, 0, 4, 4},
	{0, 2, 2, 4},
	{1, 0, 2, 2},
	{0, 1, 1, 2},
}

// decodeInterlaced decodes the seven passes of an interlaced image into
// d.whole, the image in the output format. NewReader has checked the size
// against Limits.MaxWholePixels.
func (d *Reader) decodeInterlaced() error {
	obpp := d.hdr.Pixel.BytesPerPixel()
	rb := d.hdr.RowBytes()
	d.whole = make([]byte, d.hdr.Height*rb)
	row := make([]byte, rb)
	for _, p := range adam7 {
		pw := (d.hdr.Width - p.x0 + p.dx - 1) / p.dx
		ph := (d.hdr.Height - p.y0 + p.dy - 1) / p.dy
		if pw <= 0 || ph <= 0 {
			continue
		}
		n := d.ihdr.rowLen(pw) + 1
		cur, prev := d.cur[:n], d.prev[:n]
		clear(prev)
		for py := range ph {
			y := p.y0 + py*p.dy
			d.y = y
			if _, err := io.ReadFull(d.zr, cur); err != nil {
				return d.zlibError(err)
			}
			if err := unfilter(cur[0], cur[1:], prev[1:], d.ihdr.filterBPP()); err != nil {
				return formatErr(d.idat.offset(), "row %d of interlace pass: %v", y, err)
			}
			d.expand(row, cur[1:], pw)
			line := d.whole[y*rb : (y+1)*rb]
			for x := range pw {
				copy(line[(p.x0+x*p.dx)*obpp:], row[x*obpp:(x+1)*obpp])
			}
			cur, prev = prev, cur
		}
	}
	d.y = 0
	return nil
}
