// Package engine runs a filter chain over an image that streams through the
// pipeline core: a producer reads bands of rows, a pool of workers filters
// the tiles of each band, and a consumer writes the bands in order while the
// producer is still reading.
//
//	read bands ─▶ cut tiles ─▶ N workers: fused chain ─▶ write bands in order
//
// The producer keeps only the rows the next band needs: the band's own rows
// plus the halo the whole chain asks for. Each band carries its source rows
// and the buffer its output tiles are written into, and it is charged to the
// memory budget from the moment it is read until its rows are written, so
// memory stays flat however large the image. The output bytes do not depend
// on the worker count, the tile size or the budget.
//
// When the writer can place rows in advance (raster.RowsAter: uncompressed
// 8-bit TIFF strips, PNM) and there are two workers or more, the worker
// that filters a band's last tile writes the band itself, so writes run in
// parallel too; the write stage then only counts rows and recycles bands.
// Bands and their buffers are recycled through a free list bounded by the
// budget, so a run allocates per band at first and then nothing per tile.
// No more workers run than the budget holds with their tiles' scratch
// (Job.Capped says when that cut the count asked for).
//
// The producer reads the input to its end, also the rows a crop leaves,
// and asks the reader for the end of the image after the last row: damage
// that a codec finds only there (a checksum, a missing trailer, data after
// the last row) fails the run like damage anywhere else.
//
// Decoding and encoding are work too: a reader that decodes by bands
// (raster.BandReader: TIFF strips, generated images; or
// raster.SerialBandReader: JPEG, whose Huffman decoding runs first in a
// stage "serial" of one worker) and a writer that encodes by bands
// (raster.BandWriter: PNG row groups, compressed TIFF strips, JPEG restart
// intervals) are run as stages "decode" and "encode" of the same pipeline, in
// the same pool of Options.Workers slots as the filter, so that Workers
// goroutines at most do CPU work at once (see bands.go). Jobs may share one
// pool through Options.Pool.
//
// A chain with geometry (rotate, flip, flop, transpose, transverse, and the
// turn that shows an image upright) runs in segments, as filter.Plan
// Segments cuts it: each segment's fused chain is a phase of its own, and
// between two phases the whole image goes through a scratch store, in
// tiles for the turns that make columns rows, which the next phase reads
// back turned, band by band. Memory stays within the budget (a quarter for
// the store, the rest for each phase) and the bytes do not depend on the
// workers, tiles or budget (see segments.go and turn.go).
//
// Package engine knows the core (package sluice), raster and filter; it
// does not know file formats: the caller opens the reader and creates the
// writer (package codec does both).
package engine

import (
	"context"
	"fmt"
	"image"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluice-go/sluice"
	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/raster"
)

// DefaultMemory is the memory budget when Options.Memory is zero: the bytes
// of source and output rows in flight at once.
const DefaultMemory = 32 << 20

// encBandBytes is the size of output rows a band aims at when it is made
// of the codecs' bands with no halo to recompute: small enough to stay in
// the cache from decoding or reading to encoding or writing.
const encBandBytes = 1 << 20

// DefaultTile is the tile side when Options.Tile is zero.
const DefaultTile = 256

// Options configure a Job. The zero value means the defaults.
type Options struct {
	Workers int   // goroutines doing CPU work at once: decoding, filtering, encoding; 0 = GOMAXPROCS
	Tile    int   // tile side in pixels; 0 = DefaultTile
	Memory  int64 // budget in bytes for rows in flight; 0 = DefaultMemory
	// Pool, if not nil, is the pool of workers the job's stages run in,
	// shared fairly with whatever else uses it (several jobs at once);
	// nil means a pool of its own with Workers slots.
	Pool *sluice.Pool

	// Name names the job's pipeline for observers (sluice.Config.Name).
	Name string
	// Stall is the pipeline's stall timeout (sluice.Config.StallTimeout);
	// 0 means no watchdog.
	Stall time.Duration
	// Watch, if set, is called with the job's pipeline once it is built,
	// before it runs, to attach observers (package monitor).
	Watch func(p *sluice.Pipeline)
	// Strategy says how to run an iterative chain (a lone diffuse); Auto,
	// the zero value, lets the job pick. See Job.Strategy.
	Strategy Strategy
	// Remote, when set, filters tiles beside the Workers local ones (none
	// with RemoteOnly); tiles out there stay charged to the budget. It is
	// made for RemotePlan(plan): in a chain with geometry, the segment that
	// filters, while the turns run here.
	Remote     Remote
	RemoteOnly bool
	// Scratch says where a chain with geometry keeps the image it turns
	// (Dir) and how large that may be (Limit); the job decides what stays
	// in memory, so Memory is ignored. See segments.go.
	Scratch raster.SpillOptions
}

// Job filters one image. Create it with New, call Run once; Progress and
// Stats may be read from any goroutine while it runs and after.
type Job struct {
	src  raster.RowReader
	dst  raster.RowWriter
	at   raster.RowWriterAt // set when workers write their own bands
	plan *filter.Plan
	in   raster.Header

	workers int
	remote  Remote // nil for a local run
	// localWorkers is how many of the filter stage's workers filter here;
	// the others wait on the Remote.
	localWorkers int
	local        chan struct{} // with remote: a slot per local worker
	asked        int           // workers asked for, when the budget capped them
	tileW        int           // tile width in output pixels
	bandH        int           // band height in output rows
	bandCap      int64         // bytes of the largest band: the capacity of band buffers
	outW         int
	outH         int
	outFmt       raster.PixelFormat
	budget       int64

	pool    *sluice.Pool
	dec     *bandDecoder // set when the reader decodes by bands
	enc     *bandEncoder // set when the writer encodes by bands
	pipe    *sluice.Pipeline
	opts    Options
	rows    atomic.Int64 // output rows written
	started time.Time

	// free holds bands whose rows are written, for reuse with their
	// buffers: the budget bounds how many exist, so the list needs no cap,
	// and unlike a sync.Pool it is not emptied by the garbage collector.
	freeMu sync.Mutex
	free   []*band

	// How an iterative chain runs (strategy.go).
	strategy Strategy
	why      string
	iter     *iterative
	tileSide int

	// A plan with geometry runs as phases, one job each (segments.go).
	phases []phase
	ran    bool
}

// New prepares a job that reads src, applies plan and writes dst. The plan
// must have been made for src's header, and dst must take rows of the plan's
// output size and pixel format.
func New(src raster.RowReader, dst raster.RowWriter, plan *filter.Plan, o Options) (*Job, error) {
	if segs := plan.Segments(); len(segs) > 1 || segs[0].Turn != raster.TopLeft {
		return newSegmented(src, dst, plan, o)
	}
	h := src.Header()
	j := &Job{src: src, dst: dst, plan: plan, in: h, opts: o}
	j.outW, j.outH = plan.OutputSize()
	j.outFmt = plan.Output()
	j.workers = o.Workers
	if j.workers <= 0 {
		j.workers = runtime.GOMAXPROCS(0)
	}
	tile := o.Tile
	if tile <= 0 {
		tile = DefaultTile
	}
	j.budget = o.Memory
	if j.budget <= 0 {
		j.budget = DefaultMemory
	}
	j.tileW = min(tile, j.outW)
	// Each worker holds a tile's scratch and keeps a band in flight: no
	// more workers run than the budget holds with bands of one row.
	if most := j.budget/(j.bandBytes(1)+j.scratchBytes(1)) - 3; int64(j.workers) > most {
		j.asked, j.workers = j.workers, int(max(1, most))
	}
	slots := int64(j.workers + 3)
	local := j.workers
	if o.Remote != nil {
		if o.RemoteOnly {
			local = 0
		}
		j.remote, j.local = o.Remote, make(chan struct{}, local)
		j.workers = local + max(1, o.Remote.Slots())
		slots = int64(local + 3)
	}
	j.localWorkers = local
	filters := int64(local) // goroutines here that hold a tile's scratch
	j.pool = o.Pool
	if j.pool == nil {
		j.pool = sluice.NewPool(max(1, local))
	}
	if br, ok := src.(raster.BandReader); ok && br.BandRows() > 0 && j.remote == nil {
		j.dec = &bandDecoder{r: br, rows: br.BandRows()}
	} else if sr, ok := src.(raster.SerialBandReader); ok && j.remote == nil {
		if bj, ok := sr.(bandJoiner); ok {
			// Joined bands are shorter: ask before their height (Run
			// asks again, saying whether they leave their last row).
			bj.JoinBands(false)
		}
		if rows, held := sr.SerialBands(); rows > 0 {
			j.dec = &bandDecoder{s: sr, rows: rows, held: held}
		}
	}
	if ds, ok := src.(decodeScratcher); ok && j.dec != nil {
		j.dec.scratch = ds.DecodeScratch()
	}
	// With more than one worker, a writer that places rows in advance
	// lets the worker that finishes a band write it, so that writes run in
	// parallel too; with one worker the write stage overlaps filtering
	// better.
	if ra, ok := dst.(raster.RowsAter); ok && j.workers > 1 {
		j.at = ra.RowsAt()
	}
	if bw, ok := dst.(raster.BandWriter); ok && j.at == nil && bw.BandRows() > 0 && j.remote == nil {
		j.enc = newBandEncoder(bw, j.outH, j.outW*j.outFmt.BytesPerPixel())
	}
	// A band must fit the budget several times over, so that reading,
	// filtering and writing overlap: shrink its height until it does.
	// When the reader's or the writer's bands are too tall for that, the
	// job reads or writes rows instead: the budget is the user's promise
	// on memory, and a wider image must not break it.
	//
	// A band is worth its codec's bands down to a quarter of a tile, below
	// which a chain recomputes too much of its halo. A chain without halo
	// recomputes nothing: there the codec's bands stay while a band is at
	// least as tall as one of them, since writing rows would encode on one
	// goroutine (a 10,000-wide JPEG at the default budget), and reading
	// rows decode on one.
	minBand := func() int {
		m := min(tile, j.outH) / 4
		if u := j.codecUnit(); u > 0 && j.plan.Halo() == 0 {
			m = min(m, u)
		}
		return m
	}
	minH := minBand()
	fits := func(h int) bool {
		var dec int64
		if j.dec != nil {
			dec = j.dec.scratch * int64(local)
		}
		return j.bandBytes(h)*slots+j.scratchBytes(h)*filters+dec <= j.budget
	}
	for {
		j.bandH = min(tile, j.outH)
		if u := j.codecUnit(); u > 0 && j.plan.Halo() == 0 && (j.enc != nil || j.at != nil) {
			// Without a halo a band recomputes nothing, and one of
			// about encBandBytes keeps its rows in the cache between
			// decoding or reading and encoding or writing: PPM → JPEG
			// of a 10,000² image took 0.41 s of CPU in bands of 32
			// rows, 0.49 in 128, 0.58 in 192; JPEG → PPM 0.55 in 32
			// rows, 0.66 in 64.
			rb := int64(j.outW * j.outFmt.BytesPerPixel())
			if a := max(1, int(encBandBytes/rb)/u) * u; a < j.bandH {
				j.bandH = a
			}
		}
		for j.bandH > 1 {
			// A band of whole writer bands hands them to the encoder as
			// views of its rows, copying none (see gather), and of
			// whole reader bands too decodes no rows it does not keep:
			// try that height first.
			if u := j.encUnit(); u > 0 && j.bandH >= u {
				if a := j.bandH / u * u; a >= minH && fits(a) {
					j.bandH = a
					break
				}
			}
			if j.dec != nil && j.bandH > j.dec.rows {
				if a := j.bandH / j.dec.rows * j.dec.rows; a >= minH && fits(a) {
					j.bandH = a
					break
				}
			}
			if fits(j.bandH) {
				break
			}
			j.bandH = max(1, j.bandH*3/4)
		}
		j.bandCap = j.bandBytes(j.bandH)
		if j.bandCap*slots <= j.budget && j.bandH >= minH {
			break
		}
		if j.enc != nil {
			j.enc = nil
			minH = minBand()
		} else if j.dec != nil {
			j.dec = nil
		} else {
			break
		}
	}
	j.tileSide = tile
	if err := j.pickStrategy(o.Strategy); err != nil {
		return nil, err
	}
	if j.strategy != Fused {
		j.dec, j.enc = nil, nil // an iterative chain reads and writes rows
	}
	if need := j.bandCap; need > j.budget && j.strategy == Fused {
		return nil, fmt.Errorf("engine: memory budget of %s is too small: one row band of this image needs %s",
			raster.FormatBytes(j.budget), raster.FormatBytes(need))
	}
	return j, nil
}

// bandBytes is the worst-case size of a band of h output rows: the source
// rows it needs (with halo, and with the rest of the reader's bands it
// decodes) and its output rows, which an identity plan reads in place.
func (j *Job) bandBytes(h int) int64 {
	if h > j.outH {
		h = j.outH
	}
	worst := 0
	var held int64
	if j.dec != nil {
		rows, bands := j.decodedRows(h)
		worst, held = rows, int64(bands)*j.dec.held
	} else {
		// Bands differ only near the edges and for geometry; measure the
		// tallest source window over the first few and a middle band.
		for _, y0 := range []int{0, h, (j.outH / 2 / h) * h} {
			if y0 >= j.outH {
				continue
			}
			r := j.plan.SourceRect(image.Rect(0, y0, j.outW, min(y0+h, j.outH)))
			worst = max(worst, r.Dy())
		}
	}
	out := h
	if j.inPlace() {
		out = 0
	}
	if j.enc != nil && (j.encUnit() == 0 || h%j.encUnit() != 0) {
		// The writer's bands copy the output rows, and one may straddle
		// two bands. Bands of whole writer bands lend them their rows.
		out += h + j.enc.rows
	}
	return int64(worst)*int64(j.in.RowBytes()) + int64(out)*int64(j.outW*j.outFmt.BytesPerPixel()) + held
}

// encUnit is the band height, in output rows, whose multiples hold whole
// writer bands (and whole reader bands, when the reader decodes by
// bands), or 0 without a writer encoding by bands.
func (j *Job) encUnit() int {
	if j.enc == nil {
		return 0
	}
	if j.dec != nil {
		return lcm(j.enc.rows, j.dec.rows)
	}
	return j.enc.rows
}

// codecUnit is encUnit, or without a writer encoding by bands, the height
// of the reader's bands when it decodes by bands; else 0.
func (j *Job) codecUnit() int {
	if j.enc == nil && j.dec != nil {
		return j.dec.rows
	}
	return j.encUnit()
}

func lcm(a, b int) int {
	x, y := a, b
	for y != 0 {
		x, y = y, x%y
	}
	return a / x * b
}

// decodedRows is the most source rows a band of h output rows holds when
// the reader decodes by bands, as readBands lays them out (its own, those
// carried from the band before, and the rest of the reader's bands it
// decodes), and the most reader bands it decodes. A band's layout depends
// only on its source window and the window of the band before, so the
// first bands and a stretch in the middle as long as the pattern's period
// (at most a reader band's height in bands) give the worst of them all;
// below 4,096 bands every band is measured.
func (j *Job) decodedRows(h int) (rows, bands int) {
	hd := j.dec.rows
	inH := j.in.Height
	nb := (inH + hd - 1) / hd
	n := (j.outH + h - 1) / h
	measure := func(i int) {
		y0 := i * h
		sy0, sy1 := j.sourceRows(y0, min(y0+h, j.outH))
		covered := 0
		if i > 0 {
			_, py1 := j.sourceRows(y0-h, y0)
			covered = min((py1+hd-1)/hd*hd, inH)
		}
		b0, end := sy0, sy1
		if covered < sy1 {
			k0 := max(covered, sy0) / hd
			k1 := min((sy1+hd-1)/hd, nb)
			b0 = min(sy0, k0*hd)
			end = max(sy1, min(k1*hd, inH))
			bands = max(bands, k1-k0)
		}
		rows = max(rows, end-b0)
	}
	if n <= 4096 {
		for i := range n {
			measure(i)
		}
		return rows, bands
	}
	for i := range 3 {
		measure(i)
	}
	for i, mid := 0, n/2; i <= hd+1 && mid+i < n; i++ {
		measure(mid + i)
	}
	measure(n - 1)
	return rows, bands
}

// inPlace reports whether a band's output rows are its source rows: the
// plan leaves the image as it is, so filtering copies nothing.
func (j *Job) inPlace() bool {
	return j.plan.Identity() && j.remote == nil
}

// inFlight is the most bytes of bands the pipeline holds at once: the
// budget or, when fewer bands keep every stage busy, a band for each
// worker and two more (one waiting, one being written), and one more for
// the stage "serial" when there is one, each of the largest size, besides
// the one the producer fills before it is charged. More bands than that
// only wait on queues, and take memory: blur:2 of a 10,000² JPEG held 36
// MiB of bands with the whole budget and 26 MiB with this, for the same
// time (peak RSS 61 → 52 MiB).
func (j *Job) inFlight() int64 {
	if j.remote != nil {
		return j.budget
	}
	n := int64(j.workers + 2)
	if j.dec != nil && j.dec.s != nil {
		n++ // the stage serial's
		if j.dec.last {
			n++ // the one cut holds back
		}
	}
	return min(j.budget, n*j.bandCap)
}

// scratchBytes estimates what one worker holds while it filters a tile of
// a band h rows high: float planes of the tile with the chain's halo, a few
// at once, and its goroutine's stack.
func (j *Job) scratchBytes(h int) int64 {
	halo := j.plan.Halo()
	return 3*int64(j.tileW+2*halo)*int64(h+2*halo)*int64(max(j.in.Pixel.Channels, j.outFmt.Channels))*4 + 16<<10
}

// band is one horizontal stripe of output rows, with the source rows that
// compute it. It reports its size to the budget.
type band struct {
	index   int
	y0      int                  // first source row held in buf: src may start below it
	dec     decodeSpan           // bands of the reader to decode into buf, and rows carried
	pending []raster.PendingBand // their serial step done, for a SerialBandReader
	src     raster.Tile          // source rows, full input width
	out     raster.Tile          // output rows, full output width
	subs    []raster.Tile        // the tiles' output rectangles within out, by tile index
	buf     []byte               // backing store of src and out, recycled after writing
	size    int64                // bytes charged to the budget
	done    atomic.Int32         // tiles filtered
	sunk    atomic.Int32         // tiles that reached the write stage
	views   atomic.Int32         // gather and the writer's bands that view buf
}

// Size is the band's charge against the memory budget.
func (b *band) Size() int64 { return b.size }

// tile is the unit of work: one rectangle of a band's output.
type tile struct {
	b *band
	k int // index into b.subs
}

// Progress returns the output rows written so far and the total.
// With geometry, the rows of every phase count, so total is more than the
// output's height.
func (j *Job) Progress() (done, total int) {
	if j.phases != nil {
		for i := range j.phases {
			d, t := j.phases[i].progress()
			done, total = done+d, total+t
		}
		return done, total
	}
	return int(j.rows.Load()), j.outH
}

// Stats returns the pipeline's figures: per stage, and peak memory in flight.
// It is the zero Stats before Run starts. With geometry, it holds the
// stages of every phase that has started, named "1 read", "2 filter" and
// so on.
func (j *Job) Stats() sluice.Stats {
	if j.phases != nil {
		return j.phaseStats()
	}
	if j.pipe == nil {
		return sluice.Stats{}
	}
	return j.pipe.Stats()
}

// Workers is the number of goroutines of this process that do the job's
// CPU work at once: decoding, filtering and encoding. A run with a Remote
// has RemoteSlots tiles out besides.
func (j *Job) Workers() int { return j.localWorkers }

// RemoteSlots is how many tiles the job may have out on its Remote at
// once; 0 for a local run.
func (j *Job) RemoteSlots() int { return j.workers - j.localWorkers }

// Capped reports the worker count Options asked for when the budget did
// not hold that many workers' tiles and New ran fewer (Workers); ok is
// false when no cap applied.
func (j *Job) Capped() (asked int, ok bool) { return j.asked, j.asked > 0 }

// Budget is the memory budget in bytes.
func (j *Job) Budget() int64 { return j.budget }

// Run reads, filters and writes the whole image. It returns the first error,
// or the context's cause if ctx is cancelled; it does not close src or dst.
func (j *Job) Run(ctx context.Context) error {
	if j.pipe != nil || j.ran {
		panic("engine: Job.Run called twice")
	}
	j.ran = true
	j.started = time.Now()
	if j.phases != nil {
		return j.runPhases(ctx)
	}
	if j.strategy != Fused {
		return j.runIterative(ctx)
	}
	if j.dec != nil && j.dec.s != nil {
		if bj, ok := j.dec.s.(bandJoiner); ok {
			j.dec.join, j.dec.last = bj, j.joinsLast()
			bj.JoinBands(j.dec.last)
		}
	}
	j.pipe = sluice.New(sluice.Config{Budget: j.inFlight(), QueueLen: j.workers * 4, Name: j.opts.Name, StallTimeout: j.opts.Stall, Pool: j.pool})
	var bands *sluice.Stream[*band]
	if j.dec != nil {
		// The producer only lays bands out; decoding is work for the pool.
		bands = sluice.Source(j.pipe, "read", j.readBands)
		if j.dec.s != nil {
			bands = sluice.Map(bands, "serial", sluice.Opts{Workers: 1, Ordered: true}, j.serial)
		}
		bands = sluice.Map(bands, "decode", sluice.Opts{Workers: j.workers, Ordered: true}, j.decode)
	} else {
		bands = sluice.Source(j.pipe, "read", j.read)
	}
	tiles := sluice.FlatMap(bands, "cut", sluice.Opts{Workers: 1, Ordered: true}, j.cut)
	// With remote workers the filter's goroutines mostly wait on the
	// network; its local slots limit the local work.
	filtered := sluice.Map(tiles, "filter", sluice.Opts{Workers: j.workers, Ordered: true, NoPool: j.remote != nil}, j.filter)
	if j.enc != nil {
		groups := sluice.FlatMap(filtered, "gather", sluice.Opts{Workers: 1, Ordered: true, NoPool: true}, j.gather)
		encoded := sluice.Map(groups, "encode", sluice.Opts{Workers: j.workers, Ordered: true}, j.encode)
		sluice.Sink(encoded, "write", sluice.Opts{Workers: 1, Ordered: true, NoPool: true}, j.writeBand)
	} else {
		// The writer encodes as it writes (JPEG), or writes rows as they
		// are: in the pool either way.
		sluice.Sink(filtered, "write", sluice.Opts{Workers: 1, Ordered: true}, j.write)
	}
	if j.opts.Watch != nil {
		j.opts.Watch(j.pipe)
	}
	return j.pipe.Run(ctx)
}

// sourceRows is the range of input rows that output rows [y0, y1) need.
func (j *Job) sourceRows(y0, y1 int) (int, int) {
	r := j.plan.SourceRect(image.Rect(0, y0, j.outW, y1))
	return r.Min.Y, r.Max.Y
}

// read is the producer: it reads the input top to bottom once, keeping only
// the rows that the next band shares with the one before (the halo).
func (j *Job) read(ctx context.Context, emit func(*band) error) error {
	rb := j.in.RowBytes()
	next := 0 // next input row the reader will return
	var carry []byte
	carryY0, carryY1 := 0, 0 // input rows held in carry
	for i, y0 := 0, 0; y0 < j.outH; i, y0 = i+1, y0+j.bandH {
		y1 := min(y0+j.bandH, j.outH)
		sy0, sy1 := j.sourceRows(y0, y1)
		b := j.newBand(i, y0, y1, sy0, sy0, sy1, sy1)
		// Rows shared with the previous band come from carry.
		y := sy0
		if carryY1 > sy0 && carryY0 <= sy0 {
			n := min(carryY1, sy1) - sy0
			copy(b.src.Pix, carry[(sy0-carryY0)*rb:(sy0-carryY0+n)*rb])
			y += n
		}
		// Skip input rows no band needs (cropped away).
		for next < y {
			if err := j.skipRows(y - next); err != nil {
				return err
			}
			next = y
		}
		if y < sy1 {
			if err := readFull(j.src, b.src.Pix[(y-sy0)*rb:(sy1-sy0)*rb]); err != nil {
				return err
			}
			next = sy1
		}
		// Keep what the next band shares with this one.
		if y1 < j.outH {
			ny0, _ := j.sourceRows(y1, min(y1+j.bandH, j.outH))
			if ny0 < sy1 {
				n := sy1 - max(ny0, sy0)
				carry = append(carry[:0], b.src.Pix[(sy1-sy0-n)*rb:(sy1-sy0)*rb]...)
				carryY0, carryY1 = sy1-n, sy1
			} else {
				carryY0, carryY1 = 0, 0
			}
		}
		if err := emit(b); err != nil {
			return err
		}
	}
	return j.readEnd(next)
}

// readEnd reads the input rows after row next that no band needed (a crop
// may leave them) and then asks the reader for the end of the image, so
// that damage the codec finds only at the end of the file (a checksum, a
// missing trailer, data after the last row) fails the run like damage
// anywhere else. A reader that still has rows past its height is an error.
func (j *Job) readEnd(next int) error {
	if next < j.in.Height {
		if err := j.skipRows(j.in.Height - next); err != nil {
			return err
		}
	}
	return atEnd(j.src, j.in)
}

// atEnd asks r, which has given all the rows of header h, for one more:
// nil when the image ends there without an error.
func atEnd(r raster.RowReader, h raster.Header) error {
	n, err := r.ReadRows(make([]byte, h.RowBytes()))
	switch {
	case err == io.EOF && n == 0:
		return nil
	case err != nil && err != io.EOF:
		return err
	default:
		return fmt.Errorf("the reader returned more rows than the header's %d", h.Height)
	}
}

// skipRows reads and drops n input rows.
func (j *Job) skipRows(n int) error {
	rb := j.in.RowBytes()
	buf := make([]byte, rb*min(n, max(1, (1<<20)/rb)))
	for n > 0 {
		k := min(n, len(buf)/rb)
		if err := readFull(j.src, buf[:k*rb]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// readFull fills dst with whole rows, treating an early end as an error.
// An error that comes with the last rows counts: a codec that checks a
// checksum after the last row reports it with that row. The reader's
// errors come back as they are: a codec's name the file, the place and
// what is wrong, in that order.
func readFull(r raster.RowReader, dst []byte) error {
	rb := r.Header().RowBytes()
	for len(dst) > 0 {
		n, err := r.ReadRows(dst)
		dst = dst[n*rb:]
		if err != nil && err != io.EOF {
			return err
		}
		if len(dst) == 0 {
			return nil
		}
		if err == io.EOF || n == 0 {
			return fmt.Errorf("the image ended %d rows before the header's height: %w", len(dst)/rb, io.ErrUnexpectedEOF)
		}
	}
	return nil
}

// newBand returns a band of output rows [y0, y1) computed from source rows
// [sy0, sy1), with room for source rows [b0, b1) around them.
func (j *Job) newBand(index, y0, y1, b0, sy0, sy1, b1 int) *band {
	rb := j.in.RowBytes()
	srcN := (b1 - b0) * rb
	outStride := j.outW * j.outFmt.BytesPerPixel()
	outN := (y1 - y0) * outStride
	if j.inPlace() {
		outN = 0
	}
	need := srcN + outN
	var b *band
	j.freeMu.Lock()
	if n := len(j.free); n > 0 && cap(j.free[n-1].buf) >= need {
		b, j.free = j.free[n-1], j.free[:n-1]
	}
	j.freeMu.Unlock()
	if b == nil {
		tiles := (j.outW + j.tileW - 1) / j.tileW
		b = &band{buf: make([]byte, need, max(need, int(j.bandCap))), subs: make([]raster.Tile, tiles)}
	}
	b.index = index
	b.y0 = b0
	b.done.Store(0)
	b.sunk.Store(0)
	b.buf = b.buf[:need]
	b.size = int64(cap(b.buf))
	b.src = raster.Tile{Rect: image.Rect(0, sy0, j.in.Width, sy1), Pix: b.buf[(sy0-b0)*rb : (sy1-b0)*rb], Stride: rb, Format: j.in.Pixel}
	b.out = raster.Tile{Rect: image.Rect(0, y0, j.outW, y1), Pix: b.buf[srcN:], Stride: outStride, Format: j.outFmt}
	if j.inPlace() {
		b.out.Pix = b.src.Pix[b.src.PixOffset(0, y0):]
	}
	for k := range b.subs {
		x0 := k * j.tileW
		r := image.Rect(x0, y0, min(x0+j.tileW, j.outW), y1)
		b.subs[k] = raster.Tile{Rect: r, Pix: b.out.Pix[b.out.PixOffset(r.Min.X, r.Min.Y):], Stride: outStride, Format: j.outFmt}
	}
	return b
}

// cut splits a band into tiles along its width.
func (j *Job) cut(ctx context.Context, b *band, emit func(tile) error) error {
	d := j.dec
	if d == nil || d.join == nil {
		return j.cutBand(b, emit)
	}
	// The reader's bands leave rows to join. With d.last they leave their
	// last row, which needs the next band: each band is held back until
	// the next one is decoded (else d.hold stays nil).
	prev := d.hold
	d.hold = nil
	if err := j.joinBands(prev, b); err != nil {
		return err
	}
	if prev != nil {
		if err := j.cutBand(prev, emit); err != nil {
			return err
		}
	}
	if d.last && b.out.Rect.Max.Y < j.outH {
		d.hold = b
		return nil
	}
	return j.cutBand(b, emit)
}

// cutBand hands on the rows b shares with the next band and emits its
// tiles.
func (j *Job) cutBand(b *band, emit func(tile) error) error {
	if j.dec != nil {
		if err := j.carryRows(b); err != nil {
			return err
		}
	}
	for k := range b.subs {
		if err := emit(tile{b: b, k: k}); err != nil {
			return err
		}
	}
	return nil
}

// filter runs the fused chain on one tile, writing into the band's output.
func (j *Job) filter(ctx context.Context, t tile) (tile, error) {
	b := t.b
	dst := &b.subs[t.k]
	var err error
	if j.remote != nil {
		err = j.remoteFilter(ctx, dst, &b.src)
	} else if j.inPlace() || j.enc != nil && j.plan.Identity() {
		// Nothing to compute: the output rows are the source rows, or
		// gather hands the source rows to the writer's bands itself,
		// and this copy would be one too many.
	} else {
		err = j.plan.Run(dst, &b.src)
	}
	if err != nil {
		return t, fmt.Errorf("tile at %d,%d: %w", dst.Rect.Min.X, dst.Rect.Min.Y, err)
	}
	if j.at != nil && int(b.done.Add(1)) == len(b.subs) {
		// The band's last tile: write it from here, in parallel with the
		// other workers' bands. Stats count it as I/O, not filtering.
		end := sluice.BeginIO(ctx)
		err := j.at.WriteRowsAt(b.out.Rect.Min.Y, b.out.Pix)
		end()
		if err != nil {
			return t, fmt.Errorf("writing rows %d to %d: %w", b.out.Rect.Min.Y, b.out.Rect.Max.Y, err)
		}
	}
	return t, nil
}

// write receives tiles in order and, once all of a band's tiles are
// filtered, writes the band (unless a worker wrote it through j.at),
// counts its rows and recycles it.
func (j *Job) write(ctx context.Context, t tile) error {
	b := t.b
	if int(b.sunk.Add(1)) < len(b.subs) {
		return nil
	}
	// Every tile of the band has been filtered; with j.at set, the band is
	// written already.
	if j.at == nil {
		end := sluice.BeginIO(ctx)
		err := j.dst.WriteRows(b.out.Pix)
		end()
		if err != nil {
			return fmt.Errorf("writing rows %d to %d: %w", b.out.Rect.Min.Y, b.out.Rect.Max.Y, err)
		}
	}
	j.rows.Add(int64(b.out.Rect.Dy()))
	j.freeMu.Lock()
	j.free = append(j.free, b)
	j.freeMu.Unlock()
	return nil
}

// OutputWidth is the width of the image the job writes.
func (j *Job) OutputWidth() int { return j.outW }
