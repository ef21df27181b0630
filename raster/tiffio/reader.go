package tiffio

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/sluice-go/sluice/raster"
)

// readAheadBytes bounds the decoded strips or tiles a Reader holds ahead of
// the caller, beyond one per worker.
const readAheadBytes = 64 << 20

// ReaderOptions configure a Reader. The zero value means the defaults.
type ReaderOptions struct {
	// Limits bound the image size accepted, checked before any allocation.
	Limits raster.Limits
	// Workers is the number of goroutines decompressing strips or tiles
	// ahead of ReadRows; 0 means GOMAXPROCS.
	Workers int
}

// Reader decodes the first image of a TIFF or BigTIFF file. ReadRows
// delivers rows from top to bottom, with strips or tiles decompressed ahead
// in parallel by a bounded pool of goroutines; ReadTile decodes any tile of
// a tiled file. ReadTile is safe for concurrent use, also alongside
// ReadRows; the other methods are not. Memory held is a few strips or tiles
// per worker, plus one row of tiles for a tiled file read by rows.
type Reader struct {
	f       *file
	l       *layout
	hdr     raster.Header
	workers int
	decs    sync.Pool // *decoder for ReadTile

	// ReadRows state.
	y        int // next row to deliver
	band     []byte
	bandY0   int
	bandN    int // rows in band
	pool     *pool[*decoder]
	nextC    int      // next chunk to submit
	inFlight [][]byte // buffers of outstanding chunks, in order
	free     [][]byte // chunk buffers ready for reuse
	stream   *stripStream
	err      error
	closed   bool
	chunkSz  int
}

// NewReader parses the header and first IFD of the TIFF or BigTIFF file r
// of size bytes. It checks the image against o.Limits and the strip or tile
// tables against the file before allocating anything that depends on them.
func NewReader(r io.ReaderAt, size int64, o ReaderOptions) (*Reader, error) {
	f, err := openFile(r, size)
	if err != nil {
		return nil, err
	}
	if f.ifd0 == 0 {
		return nil, formatErr(4, "no image: first IFD offset is 0")
	}
	entries, next, err := f.readIFD(f.ifd0)
	if err != nil {
		return nil, err
	}
	pages, err := f.countPages(next)
	if err != nil {
		return nil, err
	}
	l, err := parseLayout(f, entries, o.Limits)
	if err != nil {
		return nil, err
	}
	w := o.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	rd := &Reader{f: f, l: l, hdr: l.header(f, pages), workers: w}
	rd.chunkSz = l.chunkH * l.outRowBytes
	rd.decs.New = func() any { return newDecoder(f, l) }
	return rd, nil
}

// Header describes the image: Format "tiff", Compression "none", "deflate",
// "lzw" or "packbits", the tile size when tiled, and Details such as
// "bigtiff", the byte order, "predictor" and "strips of N rows".
func (r *Reader) Header() raster.Header { return r.hdr }

// ReadTile decodes tile (tx, ty) of a tiled file into dst, which must hold
// TileWidth×TileHeight pixels. Tiles at the right and bottom edges come back
// whole, with the padding the file holds. It is safe for concurrent use.
func (r *Reader) ReadTile(tx, ty int, dst []byte) error {
	l := r.l
	if !l.tiled {
		return errors.New("tiff: ReadTile on a file stored in strips, not tiles")
	}
	if tx < 0 || ty < 0 || tx >= l.across || ty >= l.down {
		return fmt.Errorf("tiff: tile (%d, %d) outside the %d×%d tiles of the image", tx, ty, l.across, l.down)
	}
	if len(dst) < r.chunkSz {
		return fmt.Errorf("tiff: tile buffer of %d bytes, want %d: %w", len(dst), r.chunkSz, io.ErrShortBuffer)
	}
	d := r.decs.Get().(*decoder)
	defer r.decs.Put(d)
	return d.decodeChunk(ty*l.across+tx, dst)
}

// ReadRows fills dst with as many whole rows as fit, returning fewer only at
// the end of the image, and (0, io.EOF) after the last row. The first call
// starts the read-ahead goroutines; they stop at the end of the image, on
// an error, or on Close.
func (r *Reader) ReadRows(dst []byte) (int, error) {
	if r.closed {
		return 0, errors.New("tiff: ReadRows after Close")
	}
	if r.err != nil {
		return 0, r.err
	}
	rb := r.hdr.RowBytes()
	want := len(dst) / rb
	if want == 0 {
		return 0, fmt.Errorf("tiff: row buffer of %d bytes, want at least %d: %w", len(dst), rb, io.ErrShortBuffer)
	}
	if r.y >= r.l.height {
		r.stop()
		return 0, io.EOF
	}
	n := 0
	for n < want && r.y < r.l.height {
		if r.y >= r.bandY0+r.bandN {
			if err := r.loadBand(); err != nil {
				r.err = err
				r.stop()
				return n, err
			}
		}
		k := min(want-n, r.bandY0+r.bandN-r.y)
		if r.stream != nil {
			if err := r.stream.readRows(dst[n*rb:(n+k)*rb], k); err != nil {
				r.err = err
				return n, err
			}
		} else {
			src := r.band[(r.y-r.bandY0)*rb:]
			copy(dst[n*rb:(n+k)*rb], src)
		}
		n += k
		r.y += k
	}
	if r.y >= r.l.height {
		r.stop()
	}
	return n, nil
}

// loadBand makes the band of chunks holding row r.y current: a strip, or a
// row of tiles.
func (r *Reader) loadBand() error {
	l := r.l
	k := r.y / l.chunkH
	r.bandY0, r.bandN = k*l.chunkH, min(l.chunkH, l.height-k*l.chunkH)
	if !l.tiled && r.chunkSz > streamStripBytes {
		if r.stream == nil {
			r.stream = &stripStream{d: newDecoder(r.f, l)}
		}
		return r.stream.open(k)
	}
	if r.pool == nil {
		r.startPool()
	}
	if !l.tiled {
		if r.band != nil {
			r.free = append(r.free, r.band)
		}
		buf, err := r.nextChunk()
		r.band = buf
		return err
	}
	rb := r.hdr.RowBytes()
	if r.band == nil {
		r.band = make([]byte, l.chunkH*rb)
	}
	tb := l.outRowBytes
	for tx := 0; tx < l.across; tx++ {
		buf, err := r.nextChunk()
		if err != nil {
			return err
		}
		x0 := tx * tb
		w := min(tb, rb-x0)
		for y := 0; y < r.bandN; y++ {
			copy(r.band[y*rb+x0:y*rb+x0+w], buf[y*tb:])
		}
		r.free = append(r.free, buf)
	}
	return nil
}

// startPool starts the read-ahead workers, as many as the read-ahead budget
// allows chunks in flight.
func (r *Reader) startPool() {
	depth := max(1, min(2*r.workers, readAheadBytes/max(1, r.chunkSz)))
	workers := min(r.workers, depth, len(r.l.offsets))
	r.pool = newPool(max(1, workers), depth, func() *decoder { return newDecoder(r.f, r.l) })
}

// nextChunk tops up the read-ahead and returns the decoded buffer of the
// next chunk in order.
func (r *Reader) nextChunk() ([]byte, error) {
	for !r.pool.full() && r.nextC < len(r.l.offsets) {
		var buf []byte
		if n := len(r.free); n > 0 {
			buf, r.free = r.free[n-1], r.free[:n-1]
		} else {
			buf = make([]byte, r.chunkSz)
		}
		i := r.nextC
		r.nextC++
		r.inFlight = append(r.inFlight, buf)
		r.pool.submit(func(d *decoder) error { return d.decodeChunk(i, buf) })
	}
	buf := r.inFlight[0]
	r.inFlight = r.inFlight[1:]
	return buf, r.pool.next()
}

// stop ends the read-ahead goroutines and releases their buffers.
func (r *Reader) stop() {
	if r.pool != nil {
		r.pool.close()
	}
	r.inFlight, r.free = nil, nil
}

// Close stops the read-ahead goroutines. It does not close the underlying
// reader. ReadTile still works after Close.
func (r *Reader) Close() error {
	r.stop()
	r.closed = true
	r.band = nil
	return nil
}
