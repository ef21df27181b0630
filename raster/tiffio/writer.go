package tiffio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/sluice-go/sluice/raster"
)

// WriterOptions configure a Writer. The zero value writes uncompressed
// strips, as libtiff and vips do by default.
type WriterOptions struct {
	// Compression is "none" (or ""), "deflate", "lzw" or "packbits".
	Compression string
	// Predictor enables horizontal differencing (predictor 2); it needs
	// deflate or lzw.
	Predictor bool
	// Level is the deflate level 1…9; 0 means 6.
	Level int
	// Tiled writes tiles instead of strips.
	Tiled bool
	// TileSize is the side of a tile, a multiple of 16; 0 means 256.
	TileSize int
	// RowsPerStrip is the height of a strip; 0 chooses about 256 KiB of
	// pixels per strip.
	RowsPerStrip int
	// BigTIFF forces a BigTIFF file. Otherwise BigTIFF is chosen up front
	// when the largest the file could be compressed passes 4 GiB.
	BigTIFF bool
}

// Writer encodes an image as a little-endian TIFF or BigTIFF file, row by
// row. Rows gather into strips, or into a row of tiles, which are
// compressed on the calling goroutine and written in order; Close writes
// the IFD at the end and patches the header to point at it. A Writer holds
// one strip, or one row of tiles, in memory; strips of more than 16 MiB are
// compressed row by row as they come instead, holding one row.
//
// Strips and rows of tiles can also be compressed in parallel: Writer
// implements raster.BandWriter, whose bands are the strips or rows of
// tiles; EncodeBand may run on any number of goroutines while WriteBand
// writes the results in order. A Writer starts no goroutine. It is not
// safe for concurrent use, except for EncodeBand.
type Writer struct {
	w       io.WriteSeeker
	g       *geometry
	big     bool
	base    int64 // where the file starts in w
	pos     int64 // bytes written, relative to base
	y       int   // rows received
	band    []byte
	bandN   int // rows in band
	encs    sync.Pool
	enc     []byte // compressed band on the WriteRows path, reused
	bands   bool   // WriteBand has been called
	stream  *stripStreamer
	direct  bool             // uncompressed 8-bit strips: rows go straight to the file
	at      *raster.FileRows // set once RowsAt hands out positioned writes
	offsets []uint64
	counts  []uint64
	meta    raster.Metadata    // stored in the IFD by Close
	orient  raster.Orientation // tag 274 when valid
	err     error
	closed  bool
}

// NewWriter starts a TIFF file for an image described by h (its Width,
// Height and Pixel) on w, writing the file header at w's current position.
// h.Meta and h.Orientation are stored in the IFD: the ICC profile in tag
// 34675, the orientation in tag 274, and from the EXIF block its EXIF and
// GPS IFDs and its descriptive IFD0 tags (make, model, date…).
func NewWriter(w io.WriteSeeker, h raster.Header, o WriterOptions) (*Writer, error) {
	g, err := newGeometry(h, o)
	if err != nil {
		return nil, err
	}
	base, err := w.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, fmt.Errorf("tiff: %w", err)
	}
	nchunks := g.across * g.down
	bound := int64(16) + 4096 + 16*int64(nchunks)
	for i := 0; i < g.down; i++ {
		rows := int64(g.chunkH)
		if !g.tiled {
			rows = int64(min(g.chunkH, g.height-i*g.chunkH))
		}
		bound += int64(g.across) * g.sizeBound(rows*int64(g.chunkRowBytes), rows)
	}
	bound += int64(len(h.Meta.ICC)) + 2*int64(len(h.Meta.EXIF))
	wr := &Writer{w: w, g: g, base: base, big: o.BigTIFF || bound >= 1<<32, meta: h.Meta, orient: h.Orientation}
	wr.offsets = make([]uint64, 0, nchunks)
	wr.counts = make([]uint64, 0, nchunks)
	hdr := []byte{'I', 'I', 42, 0, 0, 0, 0, 0}
	if wr.big {
		hdr = []byte{'I', 'I', 43, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	}
	if err := wr.write(hdr); err != nil {
		return nil, err
	}
	if !g.tiled && g.comp == compNone && g.pix.Depth == 8 {
		// The file layout is the raster layout: no copy, no workers.
		wr.direct = true
		return wr, nil
	}
	chunkBytes := g.chunkH * g.chunkRowBytes
	if !g.tiled && chunkBytes > streamStripBytes {
		wr.stream = &stripStreamer{w: wr}
		return wr, nil
	}
	wr.encs.New = func() any { return &encoder{g: g} }
	return wr, nil
}

// newGeometry checks h and o and works out the chunks.
func newGeometry(h raster.Header, o WriterOptions) (*geometry, error) {
	if !h.Pixel.Valid() {
		return nil, fmt.Errorf("tiff: cannot write pixel format %v", h.Pixel)
	}
	if h.Width <= 0 || h.Height <= 0 || h.Width > 1<<32-1 || h.Height > 1<<32-1 {
		return nil, fmt.Errorf("tiff: cannot write an image of %d×%d pixels", h.Width, h.Height)
	}
	g := &geometry{width: h.Width, height: h.Height, pix: h.Pixel, predictor: o.Predictor, tiled: o.Tiled}
	switch o.Compression {
	case "", "none":
		g.comp = compNone
	case "deflate":
		g.comp = compDeflate
	case "lzw":
		g.comp = compLZW
	case "packbits":
		g.comp = compPackBits
	default:
		return nil, fmt.Errorf("tiff: unknown compression %q, want none, deflate, lzw or packbits", o.Compression)
	}
	if o.Predictor && g.comp != compDeflate && g.comp != compLZW {
		return nil, fmt.Errorf("tiff: the predictor needs deflate or lzw compression, not %q", o.Compression)
	}
	switch {
	case o.Level == 0:
		g.level = 6
	case o.Level >= 1 && o.Level <= 9:
		g.level = o.Level
	default:
		return nil, fmt.Errorf("tiff: deflate level %d, want 1…9 or 0 for the default", o.Level)
	}
	g.rowBytes = h.RowBytes()
	if o.Tiled {
		ts := o.TileSize
		if ts == 0 {
			ts = 256
		}
		if ts < 16 || ts%16 != 0 || ts > 1<<15 {
			return nil, fmt.Errorf("tiff: tile size %d, want a positive multiple of 16", ts)
		}
		g.chunkW, g.chunkH = ts, ts
	} else {
		rps := o.RowsPerStrip
		if rps < 0 {
			return nil, fmt.Errorf("tiff: %d rows per strip", rps)
		}
		if rps == 0 {
			rps = max(1, (256<<10)/g.rowBytes)
		}
		g.chunkW, g.chunkH = h.Width, min(rps, h.Height)
	}
	g.chunkRowBytes = g.chunkW * h.Pixel.BytesPerPixel()
	g.across = (g.width + g.chunkW - 1) / g.chunkW
	g.down = (g.height + g.chunkH - 1) / g.chunkH
	return g, nil
}

// WriteRows takes whole rows of the image in raster layout (len(src) a
// multiple of the row size), from top to bottom. A full strip, or a full
// row of tiles, is compressed and written before WriteRows returns.
func (w *Writer) WriteRows(src []byte) error {
	if w.closed {
		return errors.New("tiff: WriteRows after Close")
	}
	if w.err != nil {
		return w.err
	}
	g := w.g
	if len(src)%g.rowBytes != 0 {
		return fmt.Errorf("tiff: WriteRows given %d bytes, not a whole number of %d-byte rows", len(src), g.rowBytes)
	}
	n := len(src) / g.rowBytes
	if w.y+n > g.height {
		return fmt.Errorf("tiff: WriteRows given %d rows past the image height of %d", w.y+n-g.height, g.height)
	}
	if w.at != nil {
		return errors.New("tiff: WriteRows after RowsAt")
	}
	if w.bands {
		return errors.New("tiff: WriteRows after WriteBand")
	}
	if w.direct {
		if err := w.writeDirect(src, n); err != nil {
			w.fail(err)
			return err
		}
		return nil
	}
	if w.stream != nil {
		w.y += n
		if err := w.stream.writeRows(src); err != nil {
			w.fail(err)
			return err
		}
		return nil
	}
	for n > 0 {
		if w.band == nil {
			w.band = make([]byte, g.chunkH*g.rowBytes)
		}
		k := min(n, g.chunkH-w.bandN)
		copy(w.band[w.bandN*g.rowBytes:], src[:k*g.rowBytes])
		src = src[k*g.rowBytes:]
		w.bandN += k
		w.y += k
		n -= k
		if w.bandN == g.chunkH || w.y == g.height {
			if err := w.flushBand(); err != nil {
				w.fail(err)
				return err
			}
		}
	}
	return nil
}

// writeDirect writes n rows of an uncompressed 8-bit image with one write,
// and records the strips that start among them: their rows are contiguous
// in the file, in raster layout.
func (w *Writer) writeDirect(src []byte, n int) error {
	if !w.big && w.pos+int64(len(src)) >= 1<<32 {
		return errors.New("tiff: file passes 4 GiB; set BigTIFF")
	}
	w.recordStrips(n)
	w.y += n
	return w.write(src)
}

// recordStrips records the offsets and sizes of the uncompressed strips
// that start among the n rows from row w.y, which go to the file from
// w.pos on, one after another.
func (w *Writer) recordStrips(n int) {
	g := w.g
	for k := (w.y + g.chunkH - 1) / g.chunkH * g.chunkH; k < w.y+n; k += g.chunkH {
		w.offsets = append(w.offsets, uint64(w.pos+int64((k-w.y)*g.rowBytes)))
		w.counts = append(w.counts, uint64(min(g.chunkH, g.height-k)*g.rowBytes))
	}
}

// flushBand compresses the band gathered by WriteRows and writes it.
func (w *Writer) flushBand() error {
	var err error
	w.enc, err = w.encodeBand(w.enc[:0], w.band[:w.bandN*w.g.rowBytes], w.bandN)
	w.bandN = 0
	if err != nil {
		return err
	}
	return w.writeChunks(w.enc)
}

// encodeBand compresses the chunks of a band of n rows (a strip, or a row
// of tiles) and appends them to dst, followed by the size of each as a
// 4-byte little-endian number.
func (w *Writer) encodeBand(dst, band []byte, n int) ([]byte, error) {
	e := w.encs.Get().(*encoder)
	defer w.encs.Put(e)
	start := len(dst)
	var sizes []uint32
	for tx := 0; tx < w.g.across; tx++ {
		k := len(dst)
		var err error
		dst, err = e.encodeChunk(dst, band, n, tx)
		if err != nil {
			return dst[:start], fmt.Errorf("tiff: compressing: %w", err)
		}
		sizes = append(sizes, uint32(len(dst)-k))
	}
	for _, n := range sizes {
		dst = binary.LittleEndian.AppendUint32(dst, n)
	}
	return dst, nil
}

// writeChunks writes the chunks of a band as encodeBand returned them.
func (w *Writer) writeChunks(enc []byte) error {
	across := w.g.across
	if len(enc) < 4*across {
		return errors.New("tiff: WriteBand given fewer bytes than a band's chunk sizes")
	}
	sizes := enc[len(enc)-4*across:]
	data := enc[:len(enc)-4*across]
	for tx := range across {
		n := int(binary.LittleEndian.Uint32(sizes[4*tx:]))
		if n > len(data) {
			return errors.New("tiff: WriteBand given a band whose chunk sizes pass its length")
		}
		if !w.big && w.pos+int64(n) >= 1<<32 {
			return errors.New("tiff: file passes 4 GiB; set BigTIFF")
		}
		w.offsets = append(w.offsets, uint64(w.pos))
		w.counts = append(w.counts, uint64(n))
		if err := w.write(data[:n]); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// BandRows returns the height of a strip, or of a row of tiles: the bands
// of raster.BandWriter. It is 0 when the file takes rows as they come
// (uncompressed 8-bit strips, or strips of more than 16 MiB), and after
// the first WriteRows.
func (w *Writer) BandRows() int {
	if w.direct || w.stream != nil || (w.y > 0 && !w.bands) {
		return 0
	}
	return w.g.chunkH
}

// EncodeBand compresses band i (strip i, or row of tiles i), whose rows are
// src, and returns the chunks appended to dst[:0]; above is not used. It
// is safe for concurrent use, with itself and with WriteBand, and costs
// the CPU of compressing the band.
func (w *Writer) EncodeBand(i int, above, src, dst []byte) ([]byte, error) {
	g := w.g
	if w.direct || w.stream != nil {
		return dst, errors.New("tiff: this file takes rows, not bands")
	}
	y0 := i * g.chunkH
	if i < 0 || y0 >= g.height {
		return dst, fmt.Errorf("tiff: band %d outside the image's %d rows", i, g.height)
	}
	n := min(g.chunkH, g.height-y0)
	if len(src) != n*g.rowBytes {
		return dst, fmt.Errorf("tiff: band %d given %d bytes, want %d rows of %d bytes", i, len(src), n, g.rowBytes)
	}
	return w.encodeBand(dst[:0], src, n)
}

// WriteBand writes band i as EncodeBand returned it. Bands must come in
// order, each once, and WriteRows must not be used as well.
func (w *Writer) WriteBand(i int, enc []byte) error {
	if w.closed {
		return errors.New("tiff: WriteBand after Close")
	}
	if w.err != nil {
		return w.err
	}
	g := w.g
	if w.BandRows() == 0 || i != w.y/g.chunkH || w.y%g.chunkH != 0 || w.y >= g.height {
		err := fmt.Errorf("tiff: band %d written out of order (%d rows written)", i, w.y)
		w.fail(err)
		return err
	}
	w.bands = true
	if err := w.writeChunks(enc); err != nil {
		w.fail(err)
		return err
	}
	w.y = min(w.y+g.chunkH, g.height)
	return nil
}

// write writes p to the file, tracking the position.
func (w *Writer) write(p []byte) error {
	n, err := w.w.Write(p)
	w.pos += int64(n)
	if err != nil {
		return fmt.Errorf("tiff: %w", err)
	}
	return nil
}

// fail records err and drops the buffers.
func (w *Writer) fail(err error) {
	if w.err == nil {
		w.err = err
	}
	w.band, w.enc, w.stream = nil, nil, nil
}

// Close writes the IFD and patches the header to point at it; the position
// of the underlying writer is left at the end of the file. It is an error
// to close before every row was written. Close does not close the
// underlying writer; closing again returns the first error.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err != nil {
		w.fail(w.err)
		return w.err
	}
	if w.at != nil {
		if err := w.finishAt(); err != nil {
			w.fail(err)
			return err
		}
	}
	if w.y < w.g.height {
		w.fail(fmt.Errorf("tiff: Close after %d of %d rows", w.y, w.g.height))
		return w.err
	}
	if err := w.writeIFD(); err != nil {
		w.fail(err)
		return err
	}
	w.band, w.enc = nil, nil
	return nil
}
