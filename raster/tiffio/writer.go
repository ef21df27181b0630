package tiffio

import (
	"errors"
	"fmt"
	"io"
	"runtime"

	"github.com/sluice-go/sluice/raster"
)

// writeAheadBytes bounds the uncompressed strips a Writer holds in flight.
const writeAheadBytes = 64 << 20

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
	// Workers is the number of goroutines compressing; 0 means GOMAXPROCS.
	Workers int
}

// Writer encodes an image as a little-endian TIFF or BigTIFF file, row by
// row. Rows gather into strips, or into a row of tiles, which worker
// goroutines compress in parallel while the caller goes on; compressed
// chunks are written in order as they are ready, and Close writes the IFD
// at the end and patches the header to point at it. A Writer holds a few
// strips, or two rows of tiles, in memory; strips of more than 16 MiB are
// compressed row by row as they come instead, holding one row. It is not
// safe for concurrent use.
type Writer struct {
	w       io.WriteSeeker
	g       *geometry
	big     bool
	base    int64 // where the file starts in w
	pos     int64 // bytes written, relative to base
	y       int   // rows received
	band    []byte
	bandN   int             // rows in band
	pool    *pool[*encoder] // nil when strips are streamed
	stream  *stripStreamer
	direct  bool             // uncompressed 8-bit strips: rows go straight to the file
	at      *raster.FileRows // set once RowsAt hands out positioned writes
	outs    []*chunkOut      // outstanding chunks, in order
	free    [][]byte         // band buffers ready for reuse
	freeOut [][]byte         // output buffers ready for reuse
	offsets []uint64
	counts  []uint64
	err     error
	closed  bool
}

// chunkOut is a compressed chunk on its way to the file.
type chunkOut struct {
	data []byte
	band []byte // released when this chunk is written, if last
	last bool
}

// NewWriter starts a TIFF file for an image described by h (its Width,
// Height and Pixel) on w, writing the file header at w's current position.
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
	wr := &Writer{w: w, g: g, base: base, big: o.BigTIFF || bound >= 1<<32}
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
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	depth := max(1, min(2*workers, writeAheadBytes/max(1, chunkBytes)))
	if g.tiled {
		depth = max(depth, 2*workers)
	}
	wr.pool = newPool(min(workers, depth), depth, func() *encoder { return &encoder{g: g} })
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
// row of tiles, is handed to the workers to compress; WriteRows blocks only
// when the compressed chunks in flight reach their bound.
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
			if k := len(w.free); k > 0 {
				w.band, w.free = w.free[k-1], w.free[:k-1]
			} else {
				w.band = make([]byte, g.chunkH*g.rowBytes)
			}
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

// flushBand hands the band's chunks to the workers.
func (w *Writer) flushBand() error {
	band, n := w.band, w.bandN
	w.band, w.bandN = nil, 0
	for tx := 0; tx < w.g.across; tx++ {
		for w.pool.full() {
			if err := w.retire(); err != nil {
				return err
			}
		}
		out := &chunkOut{band: band, last: tx == w.g.across-1}
		if k := len(w.freeOut); k > 0 {
			out.data, w.freeOut = w.freeOut[k-1], w.freeOut[:k-1]
		}
		w.outs = append(w.outs, out)
		w.pool.submit(func(e *encoder) error {
			var err error
			out.data, err = e.encodeChunk(out.data[:0], band, n, tx)
			return err
		})
	}
	return nil
}

// retire waits for the oldest chunk in flight and writes it.
func (w *Writer) retire() error {
	err := w.pool.next()
	out := w.outs[0]
	w.outs[0] = nil
	w.outs = w.outs[1:]
	if err != nil {
		return fmt.Errorf("tiff: compressing: %w", err)
	}
	if !w.big && w.pos+int64(len(out.data)) >= 1<<32 {
		return errors.New("tiff: file passes 4 GiB; set BigTIFF")
	}
	w.offsets = append(w.offsets, uint64(w.pos))
	w.counts = append(w.counts, uint64(len(out.data)))
	if err := w.write(out.data); err != nil {
		return err
	}
	w.freeOut = append(w.freeOut, out.data)
	if out.last {
		w.free = append(w.free, out.band)
	}
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

// fail records err and stops the workers.
func (w *Writer) fail(err error) {
	if w.err == nil {
		w.err = err
	}
	if w.pool != nil {
		w.pool.close()
	}
	w.outs, w.free, w.freeOut, w.band, w.stream = nil, nil, nil, nil, nil
}

// Close waits for the chunks in flight, writes them and the IFD, and patches
// the header to point at the IFD; the position of the underlying writer is
// left at the end of the file. It is an error to close before every row was
// written. Close stops the workers and does not close the underlying
// writer; closing again returns the first error.
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
	for w.pool != nil && w.pool.pending() > 0 {
		if err := w.retire(); err != nil {
			w.fail(err)
			return err
		}
	}
	if w.pool != nil {
		w.pool.close()
	}
	if err := w.writeIFD(); err != nil {
		w.fail(err)
		return err
	}
	w.outs, w.free, w.freeOut = nil, nil, nil
	return nil
}
