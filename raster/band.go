package raster

// A reader or writer whose image splits into bands implements BandReader
// or BandWriter beside the plain RowReader or RowWriter, which do the same
// work on the calling goroutine.
//
// A band is a run of rows that a codec decodes or encodes on its own: band
// i holds rows i×BandRows() up to the next band or the end of the image.
// A codec should keep its bands near 256 KiB, so that the cost of
// scheduling one is small beside its work, and must return the same bytes
// whichever way, in whatever order and on however many goroutines its
// bands are done.

// BandReader is implemented by readers whose rows decode band by band,
// independently, such as TIFF strips or rows of tiles and generated
// images.
//
// BandRows is the height of every band but the last, which may be shorter;
// it is 0 when this image cannot be read by bands (ReadRows still works).
// ReadBand decodes band i into dst, which holds at least its rows, at
// RowBytes each. ReadBand is safe for concurrent use and independent of
// ReadRows; a caller uses one or the other.
type BandReader interface {
	RowReader
	BandRows() int
	ReadBand(i int, dst []byte) error
}

// BandWriter is implemented by writers whose rows encode band by band,
// independently, such as TIFF strips or rows of tiles and PNG row groups.
//
// BandRows is the height of every band but the last; it is 0 when this
// writer cannot encode by bands (WriteRows still works). EncodeBand
// encodes band i, whose rows are src, appending the result to dst[:0] and
// returning it; above is the row just above the band (nil for band 0),
// which some formats' filters look at. EncodeBand is safe for concurrent
// use. WriteBand writes what EncodeBand returned for band i; it must be
// called for every band, in order, from one goroutine, and not mixed with
// WriteRows. Close then finishes the file.
type BandWriter interface {
	RowWriter
	BandRows() int
	EncodeBand(i int, above, src, dst []byte) ([]byte, error)
	WriteBand(i int, enc []byte) error
}

// SerialBandReader is implemented by readers whose bands decode in two
// steps: a serial one that must run on one goroutine, in band order (the
// Huffman decoding of a JPEG scan), and a parallel one that is a plain
// function of the band (its inverse DCT, upsampling and colour
// conversion), as PendingBand.Decode.
//
// SerialBands returns the height of every band but the last, as
// BandReader.BandRows, and the most bytes a PendingBand holds until it is
// released; rows is 0 when this image cannot be read so (ReadRows still
// works). NextBand runs the serial step of the next band and returns the
// rest of its work; (nil, io.EOF) after the last band, once the end of
// the image was checked. NextBand is not safe for concurrent use and is
// not to be mixed with ReadRows.
type SerialBandReader interface {
	RowReader
	SerialBands() (rows int, held int64)
	NextBand() (PendingBand, error)
}

// PendingBand is a band of a SerialBandReader whose serial step is done.
// Decode writes its rows into dst, which holds at least them, at RowBytes
// each; it may run on any goroutine, while NextBand and other bands'
// Decode run. Release hands the band's buffers back to its reader; the
// band must not be used after it. A PendingBand may be released without
// being decoded (rows a crop leaves).
type PendingBand interface {
	Decode(dst []byte) error
	Release()
}
