package tiffio

import (
	"bytes"
	"encoding/binary"
	"github.com/klauspost/compress/zlib"

	"github.com/sluice-go/sluice/raster"
)

// encoder holds what one goroutine needs to compress strips or tiles: a
// scratch chunk in file layout and the compressors, reused from chunk to
// chunk. It is not safe for concurrent use; a Writer keeps one per worker.
type encoder struct {
	g       *geometry
	scratch []byte
	zbuf    bytes.Buffer
	zw      *zlib.Writer
	lzw     *lzwWriter
}

// geometry is how a Writer cuts its image into strips or tiles.
type geometry struct {
	width, height  int
	pix            raster.PixelFormat
	comp           int
	level          int
	predictor      bool
	tiled          bool
	chunkW, chunkH int
	across, down   int
	rowBytes       int // bytes of an image row
	chunkRowBytes  int // bytes of one row of a chunk
}

// encodeChunk converts rows of band (rows of the image, rowBytes each, n of
// them) into file layout for chunk column tx, and appends the compressed
// chunk to dst. A tile is padded with zeros to its full size; a strip holds
// n rows.
func (e *encoder) encodeChunk(dst, band []byte, n, tx int) ([]byte, error) {
	g := e.g
	rows, crb := n, g.chunkRowBytes
	if g.tiled {
		rows = g.chunkH
	}
	size := rows * crb
	if cap(e.scratch) < size {
		e.scratch = make([]byte, size)
	}
	s := e.scratch[:size]
	x0 := tx * crb
	w := min(crb, g.rowBytes-x0)
	for y := 0; y < rows; y++ {
		row := s[y*crb : (y+1)*crb]
		if y < n {
			copy(row, band[y*g.rowBytes+x0:y*g.rowBytes+x0+w])
			clear(row[w:])
		} else {
			clear(row)
		}
		if g.pix.Depth == 16 {
			raster.SwapBytes16(row, row) // raster rows are big-endian; the file is little-endian
		}
		if g.predictor {
			applyPredictor(row, g.pix.Channels, g.pix.Depth, binary.LittleEndian)
		}
	}
	switch g.comp {
	case compDeflate:
		e.zbuf.Reset()
		if e.zw == nil {
			zw, err := zlib.NewWriterLevel(&e.zbuf, g.level)
			if err != nil {
				return dst, err
			}
			e.zw = zw
		} else {
			e.zw.Reset(&e.zbuf)
		}
		if _, err := e.zw.Write(s); err != nil {
			return dst, err
		}
		if err := e.zw.Close(); err != nil {
			return dst, err
		}
		return append(dst, e.zbuf.Bytes()...), nil
	case compLZW:
		if e.lzw == nil {
			e.lzw = new(lzwWriter)
		}
		return e.lzw.encode(dst, s), nil
	case compPackBits:
		for y := 0; y < rows; y++ {
			dst = packBits(dst, s[y*crb:(y+1)*crb])
		}
		return dst, nil
	}
	return append(dst, s...), nil
}

// sizeBound is an upper bound on the bytes a chunk of n uncompressed bytes
// in rows rows may take once compressed.
func (g *geometry) sizeBound(n, rows int64) int64 {
	switch g.comp {
	case compDeflate:
		return n + n/1024*6 + 64
	case compLZW:
		return n*3/2 + n/1024 + 16
	case compPackBits:
		return n + n/128 + rows
	}
	return n
}
