package dist

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/s2"

	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/internal/freelist"
	"github.com/sluice-go/sluice/raster"
)

// FilterHandler is the name under which workers serve image tiles: the
// handler that FilterTiles returns, and the job handler Tiles asks for.
const FilterHandler = "sluice.filter"

// tileParams is what travels with an image job: the input image's header
// and the chain, which each worker plans for itself.
type tileParams struct {
	Width    int    `json:"width"`
	Height   int    `json:"height"`
	Channels int    `json:"channels"`
	Depth    int    `json:"depth"`
	Chain    string `json:"chain"`
}

// TileJob returns the job that filters an image of header h with chain c on
// workers serving FilterTiles.
func TileJob(h raster.Header, c filter.Chain) Job {
	p, _ := json.Marshal(tileParams{Width: h.Width, Height: h.Height, Channels: h.Pixel.Channels, Depth: h.Pixel.Depth, Chain: c.String()})
	return Job{Handler: FilterHandler, Params: p}
}

// planFor plans the chain of an image job against its header.
func planFor(params []byte) (*filter.Plan, error) {
	var p tileParams
	if err := json.Unmarshal(params, &p); err != nil {
		return nil, fmt.Errorf("bad job parameters: %w", err)
	}
	chain, err := filter.ParseChain(strings.Fields(p.Chain))
	if err != nil {
		return nil, err
	}
	return chain.Plan(p.Width, p.Height, raster.PixelFormat{Channels: p.Channels, Depth: p.Depth})
}

// Tiles sends the tiles of one image job through a dispatcher; it
// implements engine.Remote. Tile pixels travel compressed with S2 when a
// network lies between the two ends and compressing saves an eighth or
// more. Every message says whether its sender runs on the server's
// machine; between two ends that both do, the bytes only cross loopback,
// where S2 costs more CPU than the copies it saves, and tiles go raw. Until
// a result has said where workers run, the coordinator assumes a network.
// A tile's message exists only while it is being
// published, two at a time (the server holds it after that, and it is
// made again from the source pixels if it must go out again), so what the
// coordinator holds for its tiles out is their bands, two tiles' messages
// and the results being copied in. It is safe for concurrent use.
type Tiles struct {
	d     *Dispatcher
	plan  *filter.Plan
	slots int
	seq   atomic.Uint64
	z     compressor
	// heard: a result has come back; remote: one came from a worker off
	// the server's machine.
	heard, remote atomic.Bool
	pub           chan struct{} // a token per message being published
	bufs          sync.Pool     // *[]byte: messages and decompressed results
}

// publishing is how many tiles' messages a Tiles makes and publishes at
// once. Two keep the server busy: a publish is a round trip of about a
// millisecond on loopback, a tile's computation ten or more.
const publishing = 2

// NewTiles returns the remote side of an image job opened with TileJob.
// plan is the coordinator's own plan of the same chain and header; slots
// is how many tiles may be out at once (0 = 64).
func NewTiles(d *Dispatcher, plan *filter.Plan, slots int) *Tiles {
	if slots <= 0 {
		slots = 64
	}
	return &Tiles{d: d, plan: plan, slots: slots, pub: make(chan struct{}, publishing)}
}

// buf returns a buffer of n bytes from the pool, and what gives it back.
func (t *Tiles) buf(n int) ([]byte, func()) {
	bp, _ := t.bufs.Get().(*[]byte)
	if bp == nil || cap(*bp) < n {
		b := make([]byte, n)
		bp = &b
	}
	return (*bp)[:n], func() { t.bufs.Put(bp) }
}

// Slots is how many tiles may be out at once.
func (t *Tiles) Slots() int { return t.slots }

// MaxTileSide is the largest tile side TileSide picks.
const MaxTileSide = 1024

// TileSide is the tile side for a run of plan whose tiles go out as
// messages of at most maxPayload bytes (0: no limit): the largest multiple
// of 64 up to MaxTileSide whose tiles, halo included, and results fit a
// message. Each tile costs a message, a pull and a result whatever its
// size, so remote runs want tiles far larger than the engine's default;
// the engine may still make them shorter to fit its memory budget.
func TileSide(plan *filter.Plan, maxPayload int64) int {
	ow, oh := plan.OutputSize()
	fits := func(s int) bool {
		if maxPayload <= 0 {
			return true
		}
		// A tile in the middle of the image has the whole halo.
		x0, y0 := max(0, (ow-s)/2), max(0, (oh-s)/2)
		dst := image.Rect(x0, y0, min(x0+s, ow), min(y0+s, oh))
		src := plan.SourceRect(dst)
		in := int64(src.Dx()) * int64(src.Dy()) * int64(plan.Input().BytesPerPixel())
		out := int64(dst.Dx()) * int64(dst.Dy()) * int64(plan.Output().BytesPerPixel())
		return max(in, out)+tileHeaderMax <= maxPayload
	}
	s := MaxTileSide
	for s > 64 && !fits(s) {
		s -= 64
	}
	return s
}

// Filter has a worker compute dst from src and checks what comes back: a
// result for another rectangle, of the wrong size or undecodable is
// rejected and the tile redone.
func (t *Tiles) Filter(ctx context.Context, dst, src *raster.Tile) error {
	enc := func(ctx context.Context) ([]byte, func(), error) {
		select {
		case t.pub <- struct{}{}:
		case <-ctx.Done():
			return nil, nil, context.Cause(ctx)
		}
		var flags byte
		if t.d.onServerHost {
			flags = flagServerHost
		}
		try := !t.d.onServerHost || !t.heard.Load() || t.remote.Load()
		req, release := t.z.encodeTile(dst.Rect, src, flags, try, t.buf)
		return req, func() { release(); <-t.pub }, nil
	}
	_, err := t.d.do(ctx, t.seq.Add(1), enc, func(p []byte) error {
		if err := decodeTileInto(p, dst, t.buf); err != nil {
			return err
		}
		if p[1]&flagServerHost == 0 {
			t.remote.Store(true)
		}
		t.heard.Store(true)
		return nil
	})
	return err
}

// Wire format of a tile, request and result alike:
//
//	byte 0    version (1)
//	byte 1    flags: 1 when the pixels are S2-compressed, 2 when the
//	          sender runs on the server's machine
//	bytes 2…  int32 little-endian: the destination rectangle (4), then for a
//	          request the source rectangle (4)
//	rest      the pixels of the last rectangle, rows packed
const (
	tileVersion    = 1
	flagCompressed = 1
	flagServerHost = 2
	tileHeaderMax  = 34 + 256 // the header of a request, and room for the message's own headers
)

// appendRect appends r as four int32.
func appendRect(b []byte, r image.Rectangle) []byte {
	for _, v := range []int{r.Min.X, r.Min.Y, r.Max.X, r.Max.Y} {
		b = binary.LittleEndian.AppendUint32(b, uint32(int32(v)))
	}
	return b
}

func readRect(b []byte) image.Rectangle {
	v := func(i int) int { return int(int32(binary.LittleEndian.Uint32(b[4*i:]))) }
	return image.Rect(v(0), v(1), v(2), v(3))
}

// compressor compresses tiles with S2, when asked to try, while that
// pays: a tile that does not shrink by an eighth goes raw, and so do the
// next skipAfterMiss tiles without a try, since the tiles of one image
// tend to be alike. It is safe
// for concurrent use; what it decides changes the bytes on the wire, never
// the pixels.
type compressor struct {
	skip atomic.Int32
}

// skipAfterMiss is how many tiles go raw without a try after one that did
// not compress.
const skipAfterMiss = 15

// allocator returns a buffer of n bytes, whose contents are undefined,
// and what to call when it is no longer used.
type allocator func(n int) ([]byte, func())

// allocate is the allocator of fresh buffers.
func allocate(n int) ([]byte, func()) { return make([]byte, n), func() {} }

// frame returns a message of hdr followed by room for n bytes of pixels,
// to be filled in and passed to finish, and what gives its buffer back.
func frame(hdr []byte, n int, alloc allocator) ([]byte, func()) {
	f, release := alloc(len(hdr) + n)
	copy(f, hdr)
	return f, release
}

// finish returns the framed tile f, whose header is hdrLen bytes long,
// with its pixels compressed when try is set and that pays, and what
// gives the buffers back (f's release among them).
func (c *compressor) finish(f []byte, release func(), hdrLen int, try bool, alloc allocator) ([]byte, func()) {
	if !try {
		return f, release
	}
	if c.skip.Load() > 0 {
		c.skip.Add(-1)
		return f, release
	}
	raw := f[hdrLen:]
	z, zrelease := alloc(hdrLen + s2.MaxEncodedLen(len(raw)))
	enc := s2.Encode(z[hdrLen:], raw)
	if len(enc) < len(raw)-len(raw)/8 {
		copy(z, f[:hdrLen])
		z[1] |= flagCompressed
		release()
		return z[:hdrLen+len(enc)], zrelease
	}
	zrelease()
	c.skip.Store(skipAfterMiss)
	return f, release
}

// encodeTile is the request for dst, computed from src, with the header
// flags given (flagServerHost or none) and compressed if try is set and
// that pays, and what gives its buffer back.
func (c *compressor) encodeTile(dst image.Rectangle, src *raster.Tile, flags byte, try bool, alloc allocator) ([]byte, func()) {
	var hdr [34]byte
	hdr[0], hdr[1] = tileVersion, flags
	appendRect(appendRect(hdr[:2], dst), src.Rect)
	rb := src.Rect.Dx() * src.Format.BytesPerPixel()
	f, release := frame(hdr[:], rb*src.Rect.Dy(), alloc)
	for i, y := 0, src.Rect.Min.Y; y < src.Rect.Max.Y; i, y = i+1, y+1 {
		copy(f[len(hdr)+i*rb:], src.Row(y))
	}
	return c.finish(f, release, len(hdr), try, alloc)
}

// pixels returns the pixels after a header of n bytes, checking that they
// are exactly want bytes once decompressed (into a buffer from alloc), and
// what gives that buffer back.
func pixels(p []byte, n, want int, alloc allocator) ([]byte, func(), error) {
	if len(p) < n || p[0] != tileVersion || p[1]&^(flagCompressed|flagServerHost) != 0 {
		return nil, nil, errors.New("not a tile")
	}
	body := p[n:]
	if p[1]&flagCompressed == 0 {
		if len(body) != want {
			return nil, nil, fmt.Errorf("%d bytes of pixels, want %d", len(body), want)
		}
		return body, func() {}, nil
	}
	got, err := s2.DecodedLen(body)
	if err != nil {
		return nil, nil, fmt.Errorf("undecodable pixels: %w", err)
	}
	if got != want {
		return nil, nil, fmt.Errorf("%d bytes of pixels, want %d", got, want)
	}
	buf, release := alloc(want)
	out, err := s2.Decode(buf, body)
	if err != nil {
		release()
		return nil, nil, fmt.Errorf("undecodable pixels: %w", err)
	}
	return out, release, nil
}

// decodeTileInto checks a result against dst and copies its pixels in,
// decompressing them in a buffer from alloc.
func decodeTileInto(p []byte, dst *raster.Tile, alloc allocator) error {
	if len(p) < 18 {
		return errors.New("not a tile")
	}
	if r := readRect(p[2:]); r != dst.Rect {
		return fmt.Errorf("result is for tile %v, want %v", r, dst.Rect)
	}
	rb := dst.Rect.Dx() * dst.Format.BytesPerPixel()
	pix, release, err := pixels(p, 18, rb*dst.Rect.Dy(), alloc)
	if err != nil {
		return err
	}
	defer release()
	for y := range dst.Rect.Dy() {
		copy(dst.Pix[y*dst.Stride:y*dst.Stride+rb], pix[y*rb:])
	}
	return nil
}

// FilterTiles returns the handler that workers register under
// FilterHandler: it plans each job's chain against the job's header once
// and runs it on the job's tiles. Its results are compressed as Tiles
// describes, and their buffers used again once sent.
func FilterTiles() Handler {
	return &tileHandler{plans: map[string]*filter.Plan{}}
}

type tileHandler struct {
	z     compressor
	mu    sync.Mutex
	plans map[string]*filter.Plan // by job ID; a few recent jobs
	// bufs keeps the buffers of raw results sent, at most one per task
	// run at once (a sync.Pool would lose them to every collection).
	bufs freelist.List[[]byte]
}

// alloc is the allocator of raw results: a buffer comes back through
// recycle once its result is sent raw, or through its release when the
// result went compressed instead.
func (h *tileHandler) alloc(n int) ([]byte, func()) {
	bp := h.bufs.Get()
	if bp == nil || cap(*bp) < n {
		b := make([]byte, n)
		bp = &b
	}
	return (*bp)[:n], func() { h.bufs.Put(bp) }
}

func (h *tileHandler) recycle(b []byte) {
	if len(b) < 2 || b[1]&flagCompressed != 0 {
		return // S2's buffer, made for this result alone
	}
	h.bufs.Put(&b)
}

func (h *tileHandler) plan(job Job) (*filter.Plan, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if p := h.plans[job.ID]; p != nil {
		return p, nil
	}
	p, err := planFor(job.Params)
	if err != nil {
		return nil, err
	}
	if len(h.plans) >= 8 {
		for k := range h.plans {
			delete(h.plans, k)
			break
		}
	}
	h.plans[job.ID] = p
	return p, nil
}

// Handle runs the job's chain on the tile in p.
func (h *tileHandler) Handle(ctx context.Context, job Job, p []byte) ([]byte, error) {
	plan, err := h.plan(job)
	if err != nil {
		return nil, err
	}
	if len(p) < 34 {
		return nil, errors.New("task is not a tile")
	}
	dr, sr := readRect(p[2:]), readRect(p[18:])
	ow, oh := plan.OutputSize()
	if dr.Empty() || !dr.In(image.Rect(0, 0, ow, oh)) || plan.SourceRect(dr) != sr {
		return nil, fmt.Errorf("task tile %v from %v does not fit the job", dr, sr)
	}
	in := plan.Input()
	pix, _, err := pixels(p, 34, sr.Dx()*sr.Dy()*in.BytesPerPixel(), allocate)
	if err != nil {
		return nil, fmt.Errorf("task tile %v: %w", dr, err)
	}
	src := &raster.Tile{Rect: sr, Pix: pix, Stride: sr.Dx() * in.BytesPerPixel(), Format: in}
	var hdr [18]byte
	hdr[0] = tileVersion
	appendRect(hdr[:2], dr)
	out := plan.Output()
	local := workerOnServerHost(ctx)
	if local {
		hdr[1] = flagServerHost
	}
	f, release := frame(hdr[:], dr.Dx()*dr.Dy()*out.BytesPerPixel(), h.alloc)
	dst := &raster.Tile{Rect: dr, Pix: f[len(hdr):], Stride: dr.Dx() * out.BytesPerPixel(), Format: out}
	if err := plan.Run(dst, src); err != nil {
		return nil, err
	}
	// Both ends on the server's machine: nothing crosses a network.
	try := !local || p[1]&flagServerHost == 0
	res, _ := h.z.finish(f, release, len(hdr), try, allocate)
	return res, nil
}
