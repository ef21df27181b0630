package tiffio

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/sluice-go/sluice/raster"
)

// ReaderOptions configure a Reader. The zero value means the defaults.
type ReaderOptions struct {
	// Limits bound the image size accepted, checked before any allocation.
	Limits raster.Limits
}

// Reader decodes the first image of a TIFF or BigTIFF file. ReadRows
// delivers rows from top to bottom, decompressing one strip or row of tiles
// at a time on the calling goroutine; ReadTile decodes any tile of a tiled
// file. Strips and rows of tiles can also be decompressed in parallel:
// Reader implements raster.BandReader, whose bands are the strips or rows
// of tiles. ReadTile and ReadBand are safe for concurrent use, also
// alongside ReadRows; the other methods are not. A Reader starts no
// goroutine; through ReadRows it holds one strip, or one row of tiles.
type Reader struct {
	f    *file
	l    *layout
	hdr  raster.Header
	decs sync.Pool // *decoder for ReadTile and ReadBand
	bufs sync.Pool // *[]byte tile buffers for ReadBand

	// ReadRows state.
	y       int // next row to deliver
	band    []byte
	bandY0  int
	bandN   int // rows in band
	stream  *stripStream
	err     error
	closed  bool
	chunkSz int
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
	rd := &Reader{f: f, l: l, hdr: l.header(f, pages)}
	readMeta(f, entries, &rd.hdr)
	rd.chunkSz = l.chunkH * l.outRowBytes
	rd.decs.New = func() any { return newDecoder(f, l) }
	return rd, nil
}

// Header describes the image: Format "tiff", Compression "none", "deflate",
// "lzw" or "packbits", the tile size when tiled, and Details such as
// "bigtiff", the byte order, "predictor" and "strips of N rows". Meta holds
// the ICC profile (tag 34675) and, when the file has an EXIF or GPS IFD,
// an EXIF block rebuilt from them; Orientation is tag 274.
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
// the end of the image, and (0, io.EOF) after the last row.
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
	if r.band == nil {
		r.band = make([]byte, l.chunkH*r.hdr.RowBytes())
	}
	return r.ReadBand(k, r.band)
}

// BandRows returns the height of a strip, or of a row of tiles: the bands
// of raster.BandReader. It is 0 for a file in strips of more than 16 MiB,
// which ReadRows decodes row by row.
func (r *Reader) BandRows() int {
	if !r.l.tiled && r.chunkSz > streamStripBytes {
		return 0
	}
	return r.l.chunkH
}

// ReadBand decodes band i (strip i, or row of tiles i) into dst, which
// holds at least its rows. It is safe for concurrent use, with itself and
// with ReadRows and ReadTile, and costs the CPU of decompressing the band;
// a band of tiles takes one tile buffer from a pool.
func (r *Reader) ReadBand(i int, dst []byte) error {
	l := r.l
	rb := r.hdr.RowBytes()
	y0 := i * l.chunkH
	if i < 0 || y0 >= l.height {
		return fmt.Errorf("tiff: band %d outside the image's %d rows", i, l.height)
	}
	n := min(l.chunkH, l.height-y0)
	if len(dst) < n*rb {
		return fmt.Errorf("tiff: band buffer of %d bytes, want %d: %w", len(dst), n*rb, io.ErrShortBuffer)
	}
	d := r.decs.Get().(*decoder)
	defer r.decs.Put(d)
	if !l.tiled {
		return d.decodeChunk(i, dst)
	}
	bp, _ := r.bufs.Get().(*[]byte)
	if bp == nil {
		b := make([]byte, r.chunkSz)
		bp = &b
	}
	defer r.bufs.Put(bp)
	buf := *bp
	tb := l.outRowBytes
	for tx := 0; tx < l.across; tx++ {
		if err := d.decodeChunk(i*l.across+tx, buf); err != nil {
			return err
		}
		x0 := tx * tb
		w := min(tb, rb-x0)
		for y := range n {
			copy(dst[y*rb+x0:y*rb+x0+w], buf[y*tb:])
		}
	}
	return nil
}

// stop drops the buffers of ReadRows.
func (r *Reader) stop() {
	r.band = nil
}

// Close drops the buffers of ReadRows. It does not close the underlying
// reader. ReadTile and ReadBand still work after Close.
func (r *Reader) Close() error {
	r.stop()
	r.closed = true
	return nil
}
