package pngio

import (
	"encoding/binary"
	"fmt"
	"github.com/klauspost/compress/flate"
	"hash/crc32"
	"io"
	"runtime"
	"sync"

	"github.com/sluice-go/sluice/raster"
)

// maxIDAT bounds the data length of the IDAT chunks the Writer writes.
const maxIDAT = 256 << 10

// WriterOptions configure a Writer. The zero value means the defaults.
type WriterOptions struct {
	// Level is the deflate compression level, 1 fastest to 9 best; 0 means
	// the default, 6; -1 stores the data without compression (and without
	// filtering).
	Level int
	// Workers is the number of goroutines that filter and deflate groups of
	// rows: 0 means GOMAXPROCS, 1 encodes on the calling goroutine. The
	// output is the same whatever the number.
	Workers int
}

// Writer encodes an image row by row into a PNG file.
//
// Rows are gathered into groups of about 256 KiB; each group is filtered
// (adaptively: for every row the filter with the smallest sum of absolute
// differences) and deflated on its own by one of the workers, and the
// results are written in order. At most 2×Workers groups are in flight, so
// memory stays flat whatever the image height: about 2×Workers+2 groups of
// three 256 KiB buffers (raw rows, filtered rows, deflated output), plus a
// deflater of up to about 1 MiB per worker. The output depends only on the
// header and the level, never on Workers. Because each group's deflate
// stream starts with an empty window, files come out about 1% larger than
// from a single stream.
//
// A Writer is not safe for concurrent use. Close must be called, even after
// an error, to stop the workers.
type Writer struct {
	w         io.Writer
	h         raster.Header
	level     int
	workers   int
	rowBytes  int
	groupRows int
	adaptive  bool
	bpp       int

	y       int      // rows received
	cur     *group   // the group being filled
	free    []*group // groups ready for reuse
	pending []*group // groups submitted, oldest first
	jobs    chan *group
	wg      sync.WaitGroup
	enc     *encoder // the encoder of the single-threaded path

	adler  uint32 // Adler-32 of the filtered data so far
	chunk  []byte // IDAT data not yet written
	err    error
	closed bool
}

// NewWriter writes the PNG signature and IHDR chunk of an image described by
// h to w and returns a Writer for its rows. h.Pixel may be any of the eight
// raster formats; rows are taken in raster layout (16-bit samples
// big-endian), which is PNG's own. Only Width, Height and Pixel are read
// from h: the output is never interlaced.
func NewWriter(w io.Writer, h raster.Header, o WriterOptions) (*Writer, error) {
	if !h.Pixel.Valid() {
		return nil, fmt.Errorf("png: cannot write pixel format %v", h.Pixel)
	}
	if h.Width <= 0 || h.Height <= 0 || h.Width > maxChunkLen || h.Height > maxChunkLen {
		return nil, fmt.Errorf("png: cannot write an image of %d×%d pixels", h.Width, h.Height)
	}
	level := o.Level
	switch {
	case level == 0:
		level = 6
	case level == -1:
		level = flate.NoCompression
	case level < -1 || level > 9:
		return nil, fmt.Errorf("png: compression level %d is not -1 or 0…9", o.Level)
	}
	workers := o.Workers
	if workers < 0 {
		return nil, fmt.Errorf("png: negative worker count %d", o.Workers)
	}
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	rb := h.RowBytes()
	pw := &Writer{
		w:         w,
		h:         h,
		level:     level,
		workers:   workers,
		rowBytes:  rb,
		groupRows: max(1, groupBytes/(rb+1)),
		adaptive:  level != flate.NoCompression,
		bpp:       h.Pixel.BytesPerPixel(),
		adler:     1,
	}
	if err := pw.writeHead(); err != nil {
		return nil, err
	}
	pw.cur = pw.newGroup()
	clear(pw.cur.raw[:rb])
	return pw, nil
}

// writeHead writes the signature, the IHDR chunk and the zlib header.
func (pw *Writer) writeHead() error {
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(pw.h.Width))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(pw.h.Height))
	ihdr[8] = byte(pw.h.Pixel.Depth)
	ihdr[9] = [...]byte{1: ctGray, 2: ctGrayAlpha, 3: ctRGB, 4: ctRGBA}[pw.h.Pixel.Channels]
	if _, err := io.WriteString(pw.w, signature); err != nil {
		return fmt.Errorf("png: %w", err)
	}
	if err := pw.writeChunk("IHDR", ihdr[:]); err != nil {
		return err
	}
	pw.chunk = make([]byte, 0, maxIDAT)
	pw.chunk = append(pw.chunk, zlibHeader(pw.level)...)
	return nil
}

// zlibHeader returns the two bytes that open a zlib stream deflated at level.
func zlibHeader(level int) []byte {
	var flevel byte
	switch {
	case level <= 1:
		flevel = 0
	case level <= 5:
		flevel = 1
	case level == 6:
		flevel = 2
	default:
		flevel = 3
	}
	cmf, flg := byte(0x78), flevel<<6
	flg += byte(31 - (uint(cmf)<<8|uint(flg))%31)
	return []byte{cmf, flg}
}

// writeChunk writes one chunk with its length and CRC.
func (pw *Writer) writeChunk(typ string, data []byte) error {
	var head [8]byte
	binary.BigEndian.PutUint32(head[:4], uint32(len(data)))
	copy(head[4:], typ)
	crc := crc32.Update(crc32.ChecksumIEEE(head[4:]), crc32.IEEETable, data)
	var tail [4]byte
	binary.BigEndian.PutUint32(tail[:], crc)
	for _, b := range [][]byte{head[:], data, tail[:]} {
		if _, err := pw.w.Write(b); err != nil {
			return fmt.Errorf("png: writing %s chunk: %w", typ, err)
		}
	}
	return nil
}

// writeIDAT adds p to the image data, writing an IDAT chunk each time
// maxIDAT bytes have gathered.
func (pw *Writer) writeIDAT(p []byte) error {
	for len(p) > 0 {
		k := min(len(p), maxIDAT-len(pw.chunk))
		pw.chunk = append(pw.chunk, p[:k]...)
		p = p[k:]
		if len(pw.chunk) == maxIDAT {
			if err := pw.writeChunk("IDAT", pw.chunk); err != nil {
				return err
			}
			pw.chunk = pw.chunk[:0]
		}
	}
	return nil
}

// newGroup returns a recycled group or a new one.
func (pw *Writer) newGroup() *group {
	if n := len(pw.free); n > 0 {
		g := pw.free[n-1]
		pw.free = pw.free[:n-1]
		g.rows, g.last = 0, false
		return g
	}
	return &group{
		raw:  make([]byte, (pw.groupRows+1)*pw.rowBytes),
		filt: make([]byte, pw.groupRows*(pw.rowBytes+1)),
		done: make(chan struct{}, 1),
	}
}

// WriteRows encodes whole rows from src (len(src) a multiple of the row
// length). It is an error to write more rows than the header's height.
func (pw *Writer) WriteRows(src []byte) error {
	if pw.err != nil {
		return pw.err
	}
	if pw.closed {
		return fmt.Errorf("png: write after close")
	}
	rb := pw.rowBytes
	if len(src)%rb != 0 {
		return fmt.Errorf("png: %d bytes is not a whole number of %d-byte rows", len(src), rb)
	}
	if n := len(src) / rb; n > pw.h.Height-pw.y {
		return fmt.Errorf("png: %d rows would pass the image height %d (%d written)", n, pw.h.Height, pw.y)
	}
	for len(src) > 0 {
		g := pw.cur
		k := min(len(src)/rb, pw.groupRows-g.rows)
		copy(g.raw[(g.rows+1)*rb:], src[:k*rb])
		src = src[k*rb:]
		g.rows += k
		pw.y += k
		if g.rows == pw.groupRows || pw.y == pw.h.Height {
			g.last = pw.y == pw.h.Height
			if !g.last {
				// The next group's filters need this group's last row.
				next := pw.newGroup()
				copy(next.raw[:rb], g.raw[g.rows*rb:(g.rows+1)*rb])
				pw.cur = next
			}
			if err := pw.submit(g); err != nil {
				pw.err = err
				return err
			}
		}
	}
	return nil
}

// submit hands a full group to the workers, or encodes it here on the
// single-threaded path, and writes out what is ready, in order.
func (pw *Writer) submit(g *group) error {
	if pw.workers == 1 {
		if pw.enc == nil {
			pw.enc = newEncoder(pw.level, pw.rowBytes, pw.bpp, pw.adaptive)
		}
		pw.enc.encode(g)
		return pw.emit(g)
	}
	if pw.jobs == nil {
		pw.start()
	}
	if len(pw.pending) == 2*pw.workers {
		if err := pw.emitOldest(); err != nil {
			return err
		}
	}
	pw.pending = append(pw.pending, g)
	pw.jobs <- g // never blocks: the channel holds 2×workers groups
	return nil
}

// start launches the workers.
func (pw *Writer) start() {
	pw.jobs = make(chan *group, 2*pw.workers)
	pw.wg.Add(pw.workers)
	for range pw.workers {
		go func() {
			defer pw.wg.Done()
			e := newEncoder(pw.level, pw.rowBytes, pw.bpp, pw.adaptive)
			for g := range pw.jobs {
				e.encode(g)
				g.done <- struct{}{}
			}
		}()
	}
}

// emitOldest waits for the oldest group in flight and writes it out.
func (pw *Writer) emitOldest() error {
	g := pw.pending[0]
	<-g.done
	pw.pending = pw.pending[1:]
	return pw.emit(g)
}

// emit writes out an encoded group and recycles it.
func (pw *Writer) emit(g *group) error {
	pw.adler = adler32Combine(pw.adler, g.adler, int64(len(g.filt)))
	err := pw.writeIDAT(g.out.Bytes())
	pw.free = append(pw.free, g)
	return err
}

// Close writes the groups still in flight, the zlib checksum, the last IDAT
// chunk and IEND, and stops the workers. It does not close the underlying
// writer. It is an error to close before every row has been written; the
// output is then incomplete. Closing twice returns the first result.
func (pw *Writer) Close() error {
	if pw.closed {
		return pw.err
	}
	pw.closed = true
	if pw.err == nil && pw.y < pw.h.Height {
		pw.err = fmt.Errorf("png: close after %d of %d rows", pw.y, pw.h.Height)
	}
	for len(pw.pending) > 0 && pw.err == nil {
		pw.err = pw.emitOldest()
	}
	if pw.jobs != nil {
		close(pw.jobs)
		pw.wg.Wait()
		pw.pending = nil
	}
	if pw.err != nil {
		return pw.err
	}
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], pw.adler)
	pw.err = pw.writeIDAT(sum[:])
	if pw.err == nil && len(pw.chunk) > 0 {
		pw.err = pw.writeChunk("IDAT", pw.chunk)
	}
	if pw.err == nil {
		pw.err = pw.writeChunk("IEND", nil)
	}
	return pw.err
}
