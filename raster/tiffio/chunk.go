package tiffio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/klauspost/compress/zlib"
	"io"

	"github.com/sluice-go/sluice/raster"
)

// decoder holds what one goroutine needs to decode strips or tiles: buffers
// and decompressors, reused from chunk to chunk. It is not safe for
// concurrent use; a Reader keeps one per worker.
type decoder struct {
	f       *file
	l       *layout
	comp    []byte // compressed bytes of the chunk
	scratch []byte // file-layout rows when they do not convert in place
	br      bytes.Reader
	zr      io.ReadCloser
	lzw     *lzwReader
	pb      packBitsReader
}

func newDecoder(f *file, l *layout) *decoder { return &decoder{f: f, l: l} }

// maxCompressed is how many compressed bytes are read for a chunk that
// decodes to n bytes: more than any of the schemes needs for n bytes, so a
// byte count that claims more is not followed into a huge allocation.
func maxCompressed(n int) int { return 2*n + 4096 }

// chunkErr reports a problem with chunk i at file offset off.
func (d *decoder) chunkErr(i int, off int64, format string, args ...any) error {
	return formatErr(off, "%s %d: %s", d.l.kind(), i, fmt.Sprintf(format, args...))
}

// chunkTrunc is chunkErr for a chunk that runs past the end of the file:
// the error wraps io.ErrUnexpectedEOF.
func (d *decoder) chunkTrunc(i int, off int64, format string, args ...any) error {
	return truncErr(off, "%s %d: %s", d.l.kind(), i, fmt.Sprintf(format, args...))
}

// decodeChunk decodes chunk i into out, rows of l.outRowBytes in the
// delivered pixel format, as many rows as the chunk holds.
func (d *decoder) decodeChunk(i int, out []byte) error {
	l := d.l
	rows := l.chunkRows(i)
	want := rows * l.fileRowBytes
	off, cnt := l.offsets[i], l.counts[i]
	dst := out[:rows*l.outRowBytes]
	if cnt == 0 && off == 0 {
		clear(dst) // a sparse file leaves unwritten chunks empty
		return nil
	}
	if off > uint64(d.f.size) || cnt > uint64(d.f.size)-off {
		return d.chunkTrunc(i, int64(min(off, uint64(d.f.size))), "%d bytes at offset %d run past the end of the file (%d bytes)", cnt, off, d.f.size)
	}
	raw := dst
	if !l.inPlace {
		if cap(d.scratch) < want {
			d.scratch = make([]byte, want)
		}
		raw = d.scratch[:want]
	}
	if l.compression == compNone {
		if cnt < uint64(want) {
			return d.chunkErr(i, int64(off), "holds %d bytes, want %d", cnt, want)
		}
		if err := d.f.readAt(raw, int64(off), d.l.kind()); err != nil {
			return err
		}
	} else {
		n := int(min(cnt, uint64(maxCompressed(want))))
		if cap(d.comp) < n {
			d.comp = make([]byte, n)
		}
		d.comp = d.comp[:n]
		if err := d.f.readAt(d.comp, int64(off), d.l.kind()); err != nil {
			return err
		}
		r, err := d.decompressor(d.comp)
		if err != nil {
			var ue *raster.UnsupportedError
			if errors.As(err, &ue) {
				return err
			}
			return d.chunkErr(i, int64(off), "%s", decompressMsg(l.compression, err))
		}
		if k, err := io.ReadFull(r, raw); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF {
				return d.chunkErr(i, int64(off), "decompresses to %d bytes, want %d", k, want)
			}
			return d.chunkErr(i, int64(off), "%s", decompressMsg(l.compression, err))
		}
	}
	for y := 0; y < rows; y++ {
		d.finishRow(raw[y*l.fileRowBytes:(y+1)*l.fileRowBytes], dst[y*l.outRowBytes:(y+1)*l.outRowBytes])
	}
	return nil
}

// decompressor returns a reader of the decompressed bytes of comp.
func (d *decoder) decompressor(comp []byte) (io.Reader, error) {
	switch d.l.compression {
	case compDeflate, compDeflateOld:
		d.br.Reset(comp)
		return d.zlib(&d.br)
	case compLZW:
		if len(comp) >= 2 && comp[0] == 0 && comp[1]&1 == 1 {
			return nil, unsupported("old-style (pre-TIFF 6.0) LZW")
		}
		if d.lzw == nil {
			d.lzw = newLZWReader()
		}
		d.lzw.src.setBytes(comp)
		d.lzw.reset()
		return d.lzw, nil
	case compPackBits:
		d.pb.src.setBytes(comp)
		d.pb.reset()
		return &d.pb, nil
	}
	return bytes.NewReader(comp), nil
}

// zlib returns d's zlib reader reset to read from r.
func (d *decoder) zlib(r io.Reader) (io.Reader, error) {
	if d.zr == nil {
		zr, err := zlib.NewReader(r)
		if err != nil {
			return nil, err
		}
		d.zr = zr
		return zr, nil
	}
	if err := d.zr.(zlib.Resetter).Reset(r, nil); err != nil {
		return nil, err
	}
	return d.zr, nil
}

// finishRow undoes the predictor on raw, one row as the file stores it, and
// converts it into out in the delivered format. raw and out are the same
// slice when the layout converts in place.
func (d *decoder) finishRow(raw, out []byte) {
	l := d.l
	if l.predictor == 2 {
		undoPredictor(raw, l.spp, l.bits, l.bo)
	}
	switch {
	case l.photometric == photoPalette:
		expandPalette(raw, out, l.bits, l.colormap)
		return
	case l.bits < 8:
		expandGray(raw, out, l.bits, l.photometric == photoMinIsWhite)
		return
	}
	if l.bits == 16 && l.bo == binary.LittleEndian {
		raster.SwapBytes16(out, out)
	}
	if l.photometric == photoMinIsWhite {
		invertGray(out, l.spp, l.bits)
	}
	if l.assoc && l.pix.HasAlpha() {
		unpremultiply(out, l.spp, l.bits)
	}
}
