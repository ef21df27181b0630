package pngio

import (
	"bytes"
	"encoding/binary"
	"github.com/klauspost/compress/flate"
	"hash/adler32"
)

// groupBytes is the amount of raw image data a group of rows aims at. A group
// is the unit a worker filters and deflates; its size trades the compression
// lost at each group's start (the deflate window starts empty) against the
// memory of the groups in flight.
const groupBytes = 256 << 10

// A group is a run of consecutive rows that is filtered and deflated on its
// own: a band, in the words of raster.BandWriter. The Writer gathers the
// rows WriteRows gives it into one group, recycled from group to group.
type group struct {
	rows int    // rows held
	raw  []byte // the row above the group, then its rows, unfiltered
}

// encoder holds what one goroutine needs to encode groups: a deflater,
// space for the filtered rows and for the candidate filter rows. The
// Writer keeps the encoders in a sync.Pool, one per goroutine encoding.
type encoder struct {
	fw       *flate.Writer
	adaptive bool
	bpp      int
	rowBytes int
	filt     []byte
	out      bytes.Buffer
	scratch  [4][]byte
}

func newEncoder(level, rowBytes, bpp int, adaptive bool) *encoder {
	fw, err := flate.NewWriter(nil, level)
	if err != nil {
		panic("pngio: " + err.Error()) // the level was checked by NewWriter
	}
	e := &encoder{fw: fw, adaptive: adaptive, bpp: bpp, rowBytes: rowBytes}
	if adaptive {
		for i := range e.scratch {
			e.scratch[i] = make([]byte, rowBytes)
		}
	}
	return e
}

// encode filters the rows of src, whose row above is above (zeros for the
// first group), and deflates them, appending to dst the deflated bytes and
// an 8-byte trailer: the Adler-32 of the filtered rows and their length,
// big-endian. The deflate stream ends with a sync flush, byte-aligned and
// not final, so that the next group's stream can follow it, or with a
// final block for the last group.
func (e *encoder) encode(dst, above, src []byte, last bool) []byte {
	rb := e.rowBytes
	rows := len(src) / rb
	if cap(e.filt) < rows*(rb+1) {
		e.filt = make([]byte, rows*(rb+1))
	}
	filt := e.filt[:rows*(rb+1)]
	prev := above
	if prev == nil {
		prev = make([]byte, rb) // the row above the image is zeros
	}
	for r := range rows {
		cur := src[r*rb : (r+1)*rb]
		filterRow(filt[r*(rb+1):(r+1)*(rb+1)], cur, prev, e.bpp, e.adaptive, &e.scratch)
		prev = cur
	}
	e.out.Reset()
	e.fw.Reset(&e.out)
	e.fw.Write(filt) // writes to a bytes.Buffer cannot fail
	if last {
		e.fw.Close()
	} else {
		e.fw.Flush()
	}
	dst = append(dst, e.out.Bytes()...)
	dst = binary.BigEndian.AppendUint32(dst, adler32.Checksum(filt))
	return binary.BigEndian.AppendUint32(dst, uint32(len(filt)))
}
