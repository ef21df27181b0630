package engine

import (
	"context"
	"fmt"
	"io"

	"github.com/sluice-go/sluice/internal/freelist"
	"github.com/sluice-go/sluice/raster"
)

// Decoding and encoding are work like filtering: when the reader decodes by
// bands (raster.BandReader) and the writer encodes by bands
// (raster.BandWriter), the job runs them as stages of its pipeline, in the
// same pool of workers as the filter, so that --workers N means N
// goroutines doing CPU work in all:
//
//	read ─▶ decode (N) ─▶ cut ─▶ filter (N) ─▶ gather ─▶ encode (N) ─▶ write
//
// read only lays out the job's bands, each with the reader's bands to
// decode into it; decode fills them in parallel, whole reader bands at a
// time, so a band may hold a few source rows above and below its own,
// which cut hands on to the next band with the rows the filter halo
// shares. gather hands the filtered rows, in order, to the writer's bands
// (each with the row above it, which PNG's filters use): as views of the
// band's rows when a writer band lies whole in it, else as copies; encode
// compresses them in parallel and write writes them in order. A band
// whose rows are viewed goes back to the free list once the last writer
// band viewing it is written.

// A reader whose bands start with a serial step (raster.SerialBandReader:
// JPEG's Huffman decoding) gets one more stage, "serial", of one worker in
// the pool, between read and decode: it runs that step for each band in
// order and hands the rest of the work to decode.
//
//	read ─▶ serial (1) ─▶ decode (N) ─▶ cut ─▶ …

// bandDecoder is the state of reading by bands.
type bandDecoder struct {
	r    raster.BandReader       // nil when s is set
	s    raster.SerialBandReader // bands with a serial first step
	held int64                   // bytes one of s's pending bands holds
	// scratch is what a goroutine that decodes keeps (decodeScratcher).
	scratch int64
	rows    int        // the reader's band height
	next    int        // s: the reader's next band
	join    bandJoiner // s, when its bands leave rows to the stage cut
	last    bool       // join: they leave their last row too
	hold    *band      // last: the band cut holds until the next is decoded

	// Source rows the cut stage keeps for the next band, in order.
	carry            []byte
	carryY0, carryY1 int
}

// decodeScratcher is implemented by readers whose bands' decoding keeps
// scratch per goroutine beside what a band holds (jpegio.Reader: the
// coefficients of a band decoded from restart intervals). The job
// reserves it for each worker, as it does a tile's scratch.
type decodeScratcher interface {
	DecodeScratch() int64
}

// bandJoiner is implemented by serial band readers whose bands can leave
// the rows that blend them with the band above and below to be finished
// once both are decoded (jpegio.Reader, for a JPEG decoded by restart
// intervals: those rows blend chroma of both bands, and a band would
// otherwise decode an MCU row above and below its own for them). The job
// asks for it (JoinBands) when it runs the stage "cut", which calls
// JoinBand for each of the reader's bands in order, after they are
// decoded. When every band of the job decodes some of the reader's bands,
// one after the other to the last, bands leave their last row too (last):
// cut then holds a band back until the next is decoded (see cut).
type bandJoiner interface {
	JoinBands(last bool)
	JoinBand(k int, above, row []byte) error
}

// decodeSpan says how a band's source rows arrive: the reader's bands
// [k0, k1) are decoded into it, rows [src.Min.Y, carryTo) come from the
// band before, and its buffer holds rows up to end.
type decodeSpan struct {
	k0, k1  int
	carryTo int
	end     int
}

// readBands is the producer when the reader decodes by bands: it lays out
// each band and which of the reader's bands decode into it, leaving the
// decoding to the decode stage.
func (j *Job) readBands(ctx context.Context, emit func(*band) error) error {
	h := j.dec.rows
	inH := j.in.Height
	nb := (inH + h - 1) / h
	covered := 0 // source rows decoded or carried so far
	for i, y0 := 0, 0; y0 < j.outH; i, y0 = i+1, y0+j.bandH {
		y1 := min(y0+j.bandH, j.outH)
		sy0, sy1 := j.sourceRows(y0, y1)
		span := decodeSpan{carryTo: sy0, end: sy1}
		b0 := sy0
		if covered > sy0 {
			span.carryTo = covered
		}
		if covered < sy1 {
			span.k0 = max(covered, sy0) / h
			span.k1 = min((sy1+h-1)/h, nb)
			b0 = min(sy0, span.k0*h)
			covered = min(span.k1*h, inH)
		}
		span.end = max(sy1, covered)
		b := j.newBand(i, y0, y1, b0, sy0, sy1, span.end)
		b.dec = span
		b.size += int64(span.k1-span.k0) * j.dec.held
		if err := emit(b); err != nil {
			return err
		}
	}
	return nil
}

// serial runs the serial step of the reader's bands that a band needs,
// in order, and of those no band needs (rows a crop leaves), which it
// releases. After the last band it asks the reader for the end of the
// image, so that damage found only there fails the run.
func (j *Job) serial(ctx context.Context, b *band) (*band, error) {
	d := j.dec
	h := d.rows
	nb := (j.in.Height + h - 1) / h
	last := b.out.Rect.Max.Y == j.outH
	end := b.dec.k1
	if last {
		end = nb
	}
	for ; d.next < end; d.next++ {
		if err := ctx.Err(); err != nil {
			return b, err
		}
		p, err := d.s.NextBand()
		if err != nil {
			return b, err // the reader's errors name the file and the place
		}
		if d.next < b.dec.k0 || d.next >= b.dec.k1 {
			p.Release()
			continue
		}
		b.pending = append(b.pending, p)
	}
	if last {
		p, err := d.s.NextBand()
		switch {
		case err == io.EOF:
		case err != nil:
			return b, err
		default:
			p.Release()
			return b, fmt.Errorf("the reader returned more bands than the header's %d rows", j.in.Height)
		}
	}
	return b, nil
}

// decode decodes the reader's bands that a band needs into its buffer.
func (j *Job) decode(ctx context.Context, b *band) (*band, error) {
	rb := j.in.RowBytes()
	h := j.dec.rows
	if j.dec.s != nil {
		for i, p := range b.pending {
			k := b.dec.k0 + i
			err := p.Decode(b.buf[(k*h-b.y0)*rb:])
			p.Release()
			b.pending[i] = nil
			if err != nil {
				return b, err
			}
		}
		b.pending = b.pending[:0]
		return b, nil
	}
	for k := b.dec.k0; k < b.dec.k1; k++ {
		if err := ctx.Err(); err != nil {
			return b, err
		}
		if err := j.dec.r.ReadBand(k, b.buf[(k*h-b.y0)*rb:]); err != nil {
			return b, fmt.Errorf("reading rows %d to %d: %w", k*h, min((k+1)*h, j.in.Height), err)
		}
	}
	return b, nil
}

// joinBands writes the rows the reader's bands of b left (bandJoiner):
// where each meets the band above, that in prev, the band before b, for
// the first, when it left its last row (d.last). The cut stage calls it
// in band order, before carryRows.
func (j *Job) joinBands(prev, b *band) error {
	d := j.dec
	rb := j.in.RowBytes()
	h := d.rows
	row := func(b *band, y int) []byte { return b.buf[(y-b.y0)*rb : (y-b.y0+1)*rb] }
	for k := max(b.dec.k0, 1); k < b.dec.k1; k++ {
		var above []byte
		switch {
		case !d.last:
		case k > b.dec.k0:
			above = row(b, k*h-1)
		case prev == nil || prev.dec.k1 != k:
			return fmt.Errorf("engine: band %d starts with the reader's band %d, not joined to the band before", b.index, k)
		default:
			above = row(prev, k*h-1)
		}
		if err := d.join.JoinBand(k, above, row(b, k*h)); err != nil {
			return err
		}
	}
	return nil
}

// joinsLast reports whether every band of the job decodes some of the
// reader's bands, each band going on from the last the band before
// decoded, and the last band decodes to the end: as readBands lays them
// out. The reader's bands may then leave their last row for the stage
// cut to join (bandJoiner).
func (j *Job) joinsLast() bool {
	h := j.dec.rows
	nb := (j.in.Height + h - 1) / h
	covered := 0
	for y0 := 0; y0 < j.outH; y0 += j.bandH {
		sy0, sy1 := j.sourceRows(y0, min(y0+j.bandH, j.outH))
		if covered >= sy1 || (y0 > 0 && covered < sy0) {
			return false
		}
		if y0 == 0 && sy0 >= h {
			return false // the first band starts past the reader's first
		}
		covered = min((sy1+h-1)/h*h, j.in.Height)
	}
	return covered == j.in.Height && nb > 0
}

// carryRows copies into b the source rows it shares with the band before,
// then keeps those it shares with the next. The cut stage calls it, in
// band order.
func (j *Job) carryRows(b *band) error {
	d := j.dec
	rb := j.in.RowBytes()
	sy0 := b.src.Rect.Min.Y
	if to := b.dec.carryTo; to > sy0 {
		if d.carryY0 > sy0 || d.carryY1 < to {
			return fmt.Errorf("engine: band %d needs source rows %d to %d from the band before, which kept %d to %d",
				b.index, sy0, to, d.carryY0, d.carryY1)
		}
		copy(b.buf[(sy0-b.y0)*rb:(to-b.y0)*rb], d.carry[(sy0-d.carryY0)*rb:])
	}
	d.carryY0, d.carryY1 = 0, 0
	if y1 := b.out.Rect.Max.Y; y1 < j.outH {
		ny0, _ := j.sourceRows(y1, min(y1+j.bandH, j.outH))
		if ny0 < b.dec.end {
			from := max(ny0, b.y0)
			d.carry = append(d.carry[:0], b.buf[(from-b.y0)*rb:(b.dec.end-b.y0)*rb]...)
			d.carryY0, d.carryY1 = from, b.dec.end
		}
	}
	return nil
}

// bandEncoder is the state of writing by bands: the writer, the group
// being gathered and a bounded free list of groups.
type bandEncoder struct {
	w        raster.BandWriter
	rows     int // the writer's band height
	height   int // output rows
	rowBytes int
	cur      *group
	next     int    // index of the next group
	last     []byte // the last row gathered, above the next group
	views    int    // groups passed on as views of a band's rows

	// free holds written groups for reuse. The budget bounds how many
	// exist: a group holds rows of a band whose charge lasts until the
	// group is written, and a band's charge counts them (bandBytes).
	free freelist.List[group]
}

// group is one of the writer's bands on its way: the row above it, its
// rows, and the encoded bytes. Its rows are a copy in buf, or, when they
// lie whole in one of the job's bands, that band's own rows (direct): the
// band then goes back to the free list only once the group is written.
type group struct {
	index int
	rows  int
	above []byte // the row above (nil for the first group)
	pix   []byte // the rows
	buf   []byte // a copy: the row above, then up to the band height of rows
	top   []byte // direct: a copy of the row above, when in the band before
	band  *band  // direct: the band pix is in
	enc   []byte
}

func newBandEncoder(w raster.BandWriter, height, rowBytes int) *bandEncoder {
	return &bandEncoder{w: w, rows: w.BandRows(), height: height, rowBytes: rowBytes, last: make([]byte, rowBytes)}
}

// get returns a free group or a new one, its buffer not yet made.
func (e *bandEncoder) get() *group {
	if g := e.free.Get(); g != nil {
		return g
	}
	return new(group)
}

// gather receives the filtered tiles in order and, once a band is whole,
// passes on the writer's bands it completes: those that lie whole in the
// band as views of its rows, the others as copies gathered across bands.
// A view saves copying every pixel once more: PPM → JPEG of a 10,000²
// image spent a quarter of its CPU time in this copy.
func (j *Job) gather(ctx context.Context, t tile, emit func(*group) error) error {
	b := t.b
	if int(b.sunk.Add(1)) < len(b.subs) {
		return nil
	}
	e := j.enc
	rb := e.rowBytes
	out := b.out.Pix
	if j.plan.Identity() {
		// The filter left out alone (see filter): take the source rows.
		out = b.src.Pix[b.src.PixOffset(0, b.out.Rect.Min.Y):]
	}
	src := out[:b.out.Rect.Dy()*rb]
	b.views.Store(1) // gather's own reference, dropped at the end
	for len(src) > 0 {
		want := min(e.rows, e.height-e.next*e.rows)
		if e.cur == nil && len(src) >= want*rb {
			// The whole group lies in this band: a view of its rows.
			g := e.get()
			g.index, g.rows, g.band = e.next, want, b
			g.above = nil
			if g.index > 0 {
				if len(src) < len(out[:b.out.Rect.Dy()*rb]) {
					// The row above is this band's too.
					k := len(out[:b.out.Rect.Dy()*rb]) - len(src)
					g.above = out[k-rb : k]
				} else {
					if g.top == nil {
						g.top = make([]byte, rb)
					}
					g.above = g.top
					copy(g.above, e.last)
				}
			}
			g.pix = src[:want*rb]
			src = src[want*rb:]
			b.views.Add(1)
			e.next++
			e.views++
			if len(src) < min(e.rows, e.height-e.next*e.rows)*rb || len(src) == 0 {
				// What comes next starts from e.last.
				copy(e.last, g.pix[(want-1)*rb:])
			}
			if err := emit(g); err != nil {
				return err
			}
			continue
		}
		if e.cur == nil {
			g := e.get()
			if g.buf == nil {
				g.buf = make([]byte, (e.rows+1)*rb)
			}
			g.index, g.rows, g.band = e.next, 0, nil
			copy(g.buf[:rb], e.last)
			e.cur = g
		}
		g := e.cur
		k := min(len(src)/rb, want-g.rows)
		copy(g.buf[(g.rows+1)*rb:], src[:k*rb])
		src = src[k*rb:]
		g.rows += k
		if g.rows == want {
			copy(e.last, g.buf[g.rows*rb:(g.rows+1)*rb])
			g.above, g.pix = nil, g.buf[rb:(g.rows+1)*rb]
			if g.index > 0 {
				g.above = g.buf[:rb]
			}
			e.cur = nil
			e.next++
			if err := emit(g); err != nil {
				return err
			}
		}
	}
	j.unview(b)
	return nil
}

// unview drops a reference to b's rows; the last one puts b back on the
// free list.
func (j *Job) unview(b *band) {
	if b.views.Add(-1) > 0 {
		return
	}
	j.freeMu.Lock()
	j.free = append(j.free, b)
	j.freeMu.Unlock()
}

// encode compresses one of the writer's bands.
func (j *Job) encode(ctx context.Context, g *group) (*group, error) {
	e := j.enc
	y0 := g.index * e.rows
	enc, err := e.w.EncodeBand(g.index, g.above, g.pix, g.enc)
	g.enc = enc
	if err != nil {
		return g, fmt.Errorf("encoding rows %d to %d: %w", y0, y0+g.rows, err)
	}
	return g, nil
}

// writeBand writes one encoded band, in order, and recycles it.
func (j *Job) writeBand(ctx context.Context, g *group) error {
	e := j.enc
	if err := e.w.WriteBand(g.index, g.enc); err != nil {
		y0 := g.index * e.rows
		return fmt.Errorf("writing rows %d to %d: %w", y0, y0+g.rows, err)
	}
	j.rows.Add(int64(g.rows))
	if b := g.band; b != nil {
		g.band, g.above, g.pix = nil, nil, nil
		j.unview(b)
	}
	e.free.Put(g)
	return nil
}
