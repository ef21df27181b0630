package pngio

import (
	"bytes"
	"github.com/klauspost/compress/flate"
	"hash/adler32"
)

// groupBytes is the amount of raw image data a group of rows aims at. A group
// is the unit a worker filters and deflates; its size trades the compression
// lost at each group's start (the deflate window starts empty) against the
// memory of the groups in flight.
const groupBytes = 256 << 10

// A group is a run of consecutive rows that is filtered and deflated on its
// own. Its buffers are recycled from group to group.
type group struct {
	rows  int    // rows held
	raw   []byte // the row above the group, then its rows, unfiltered
	filt  []byte // the rows filtered, each led by its filter type
	out   bytes.Buffer
	adler uint32 // Adler-32 of filt
	last  bool   // the last group of the image: its deflate stream is final
	done  chan struct{}
}

// encoder holds what one goroutine needs to encode groups: a deflater and
// space for the candidate filter rows.
type encoder struct {
	fw       *flate.Writer
	adaptive bool
	bpp      int
	rowBytes int
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

// encode filters the rows of g and deflates them into g.out. The deflate
// stream ends with a sync flush, byte-aligned and not final, so that the next
// group's stream can follow it, or with a final block for the last group.
func (e *encoder) encode(g *group) {
	rb := e.rowBytes
	g.filt = g.filt[:g.rows*(rb+1)]
	for r := range g.rows {
		prev, cur := g.raw[r*rb:(r+1)*rb], g.raw[(r+1)*rb:(r+2)*rb]
		filterRow(g.filt[r*(rb+1):(r+1)*(rb+1)], cur, prev, e.bpp, e.adaptive, &e.scratch)
	}
	g.adler = adler32.Checksum(g.filt)
	g.out.Reset()
	e.fw.Reset(&g.out)
	e.fw.Write(g.filt) // writes to a bytes.Buffer cannot fail
	if g.last {
		e.fw.Close()
	} else {
		e.fw.Flush()
	}
}
