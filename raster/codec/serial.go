package codec

import "github.com/sluice-go/sluice/raster"

// SerialBands returns the height of the bands the file decodes by in two
// steps, and the most bytes one band holds between them, as
// raster.SerialBandReader describes; rows is 0 when the format has no such
// bands. JPEG has them: Huffman decoding is serial, the rest of a band's
// decoding is not.
func (r *Reader) SerialBands() (rows int, held int64) {
	if sr, ok := r.rows.(raster.SerialBandReader); ok {
		return sr.SerialBands()
	}
	return 0, 0
}

// NextBand runs the serial step of the next band and returns the rest of
// its work, as raster.SerialBandReader describes; (nil, io.EOF) after the
// last band. Errors, also those of the band's Decode, name the file.
func (r *Reader) NextBand() (raster.PendingBand, error) {
	sr, ok := r.rows.(raster.SerialBandReader)
	if !ok {
		return nil, r.wrap(errNoSerialBands{r.Header().Format})
	}
	p, err := sr.NextBand()
	if err != nil {
		return nil, r.wrap(err)
	}
	return pathBand{p, r}, nil
}

type errNoSerialBands struct{ format string }

func (e errNoSerialBands) Error() string {
	return "the " + e.format + " format does not decode by serial bands"
}

// pathBand names the file in the errors of a PendingBand.
type pathBand struct {
	raster.PendingBand
	r *Reader
}

func (p pathBand) Decode(dst []byte) error { return p.r.wrap(p.PendingBand.Decode(dst)) }

// DecodeScratch returns what a goroutine that decodes the file's serial
// bands keeps as scratch, for a scheduler to reserve once per goroutine;
// 0 when the format says nothing of it.
func (r *Reader) DecodeScratch() int64 {
	if ds, ok := r.rows.(interface{ DecodeScratch() int64 }); ok {
		return ds.DecodeScratch()
	}
	return 0
}

// joiner is a reader whose serial bands can leave rows to JoinBand
// (jpegio.Reader).
type joiner interface {
	JoinBands(last bool)
	JoinBand(k int, above, row []byte) error
}

// JoinBands asks the file's serial bands to leave to JoinBand the rows
// that blend a band with the one above (and, with last, with the one
// below), rather than decode more of the neighbouring bands for them,
// when the format can (a JPEG decoded by restart intervals); it does
// nothing otherwise. Call it before the first NextBand; the caller then
// calls JoinBand for every band but the first that it decodes, in order,
// after that band and the one above it were decoded or released, and
// releases a band it does not decode before it asks NextBand for the
// next; with last, it decodes every band after the first it decodes.
func (r *Reader) JoinBands(last bool) {
	if jr, ok := r.rows.(joiner); ok {
		jr.JoinBands(last)
	}
}

// JoinBand writes the rows that band k and the band above it left when
// they were decoded, if they left any (see JoinBands): the first row of
// band k into row, the last of band k-1 into above. Errors name the file.
func (r *Reader) JoinBand(k int, above, row []byte) error {
	if jr, ok := r.rows.(joiner); ok {
		return r.wrap(jr.JoinBand(k, above, row))
	}
	return nil
}
