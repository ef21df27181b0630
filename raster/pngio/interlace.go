package pngio

import (
	"io"

	"github.com/sluice-go/sluice/raster"
)

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
// d.whole, the image in the output format, held in memory or in a
// temporary file as d.spillOpts say; NewReader has checked the size
// against their limit. Each row of a pass is merged into its image row
// (read, fill in, write back), except the seventh pass's, which are whole
// rows.
func (d *Reader) decodeInterlaced() error {
	obpp := d.hdr.Pixel.BytesPerPixel()
	rb := d.hdr.RowBytes()
	whole, err := raster.NewSpill(d.hdr.Bytes(), d.spillOpts)
	if err != nil {
		return err
	}
	d.whole = whole
	row := make([]byte, rb)  // a pass's row, expanded
	line := make([]byte, rb) // the image row it belongs to
	for i, p := range adam7 {
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
			off := int64(y) * int64(rb)
			if i == len(adam7)-1 { // the last pass: whole rows
				if _, err := d.whole.WriteAt(row, off); err != nil {
					return err
				}
				cur, prev = prev, cur
				continue
			}
			if _, err := d.whole.ReadAt(line, off); err != nil {
				return err
			}
			for x := range pw {
				copy(line[(p.x0+x*p.dx)*obpp:], row[x*obpp:(x+1)*obpp])
			}
			if _, err := d.whole.WriteAt(line, off); err != nil {
				return err
			}
			cur, prev = prev, cur
		}
	}
	d.y = 0
	return nil
}
