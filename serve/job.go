package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/codec"
)

// request is what a job's query asks for.
type request struct {
	chain  filter.Chain
	format string // output format; "" = the input's
	write  codec.WriteOptions
	strip  bool // write no metadata (ICC, EXIF, orientation)
	keep   bool // autorotate=false: keep the pixels as stored
}

// serverParams are `sluice run` flags that belong to the server, not to a
// request.
var serverParams = map[string]bool{"workers": true, "memory": true, "tile": true, "tmpdir": true, "spill-limit": true}

// parseQuery reads ops, format and the output flags of `sluice run`.
// Operations are separated by spaces ("+" in a query), as on the command
// line, since an operation's own arguments use commas.
func parseQuery(q url.Values) (request, error) {
	var req request
	for key, vals := range q {
		if len(vals) != 1 {
			return req, statusf(http.StatusBadRequest, "parameter %q given %d times", key, len(vals))
		}
		v := vals[0]
		var err error
		switch key {
		case "ops":
			req.chain, err = filter.ParseChain(strings.Fields(v))
		case "format":
			if req.format = strings.ToLower(v); !codec.KnownFormat(req.format) {
				err = fmt.Errorf("unknown format %q; known formats are %s", v, strings.Join(codec.Formats(), ", "))
			}
		case "quality":
			req.write.Quality, err = intParam(key, v, 1, 100)
		case "level":
			req.write.Level, err = intParam(key, v, 1, 9)
		case "compression":
			switch v {
			case "none", "deflate", "lzw":
				req.write.Compression = v
			default:
				err = fmt.Errorf("compression must be none, deflate or lzw, got %q", v)
			}
		case "predictor":
			req.write.Predictor, err = boolParam(key, v)
		case "tiled":
			req.write.Tiled, err = boolParam(key, v)
		case "bigtiff":
			req.write.BigTIFF, err = boolParam(key, v)
		case "strip":
			req.strip, err = boolParam(key, v)
		case "autorotate":
			var turn bool
			turn, err = boolParam(key, v)
			req.keep = !turn
		default:
			if serverParams[key] {
				err = fmt.Errorf("%s is set by the server, not by a request", key)
			} else {
				err = fmt.Errorf("unknown parameter %q (ops, format, quality, level, compression, predictor, tiled, bigtiff, strip, autorotate)", key)
			}
		}
		if err != nil {
			return req, withStatus(http.StatusBadRequest, err)
		}
	}
	return req, nil
}

func intParam(key, v string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s must be a whole number from %d to %d, got %q", key, lo, hi, v)
	}
	return n, nil
}

func boolParam(key, v string) (bool, error) {
	if v == "" {
		return true, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s must be true or false, got %q", key, v)
	}
	return b, nil
}

// post runs a job on the uploaded image.
func (s *Server) post(w http.ResponseWriter, r *http.Request) {
	req, err := parseQuery(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.ContentLength > s.cfg.MaxBody {
		s.fail(w, r, statusf(http.StatusRequestEntityTooLarge, "the body of %d bytes is over the limit of %d", r.ContentLength, s.cfg.MaxBody))
		return
	}
	s.job(w, r, req, func() (*codec.Reader, error) { return s.openBody(w, r) })
}

// get runs a job on a file under Config.Root.
func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	if s.root == nil {
		httpError(w, http.StatusNotFound, "this server has no --root folder to read from")
		return
	}
	req, err := parseQuery(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := r.PathValue("path")
	if !fs.ValidPath(name) {
		httpError(w, http.StatusBadRequest, fmt.Sprintf("%q is not a path inside the root folder", name))
		return
	}
	s.job(w, r, req, func() (*codec.Reader, error) { return s.openRoot(name) })
}

// openRoot opens a file under the root folder; os.Root refuses paths and
// symbolic links that lead out of it.
func (s *Server) openRoot(name string) (*codec.Reader, error) {
	f, err := s.root.Open(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, statusf(http.StatusNotFound, "%s: no such file", name)
		}
		return nil, statusf(http.StatusBadRequest, "%s: %v", name, errors.Unwrap(err))
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, statusf(http.StatusBadRequest, "%s: not an image file", name)
	}
	rd, err := codec.OpenFile(f, name, codec.ReadOptions{Limits: s.limits()})
	if err != nil {
		f.Close()
		return nil, err
	}
	return rd, nil
}

// job admits a job, opens its input, plans the chain and streams the
// result.
func (s *Server) job(w http.ResponseWriter, r *http.Request, req request, open func() (*codec.Reader, error)) {
	ctx := r.Context()
	release, err := s.admit.acquire(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer release()
	s.running.Add(1)
	defer s.running.Add(-1)

	in, err := open()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer in.Close()
	h := in.Header()
	// As with `sluice run`, the image is shown upright by its EXIF or TIFF
	// orientation unless the request says autorotate=false; the output
	// then says TopLeft.
	chain, orient, meta := req.chain, h.Orientation, h.Meta
	if op := filter.Upright(h.Orientation); op != nil && !req.keep {
		chain = append(filter.Chain{op}, chain...)
		orient = raster.TopLeft
		meta.EXIF = raster.SetExifOrientation(meta.EXIF, raster.TopLeft)
	}
	plan, err := chain.Plan(h.Width, h.Height, h.Pixel)
	if err != nil {
		s.fail(w, r, withStatus(http.StatusBadRequest, err))
		return
	}
	format := req.format
	if format == "" {
		format = h.Format
	}
	ow, oh := plan.OutputSize()
	out := &output{w: w, ctype: contentType(format)}
	// The input's metadata travels to the output, as with `sluice run`.
	oHead := raster.Header{Width: ow, Height: oh, Pixel: plan.Output(), Meta: meta, Orientation: orient}
	if req.strip {
		oHead.Meta, oHead.Orientation = raster.Metadata{}, 0
	}
	err = s.encode(ctx, in, plan, out, format, oHead, req.write)
	switch {
	case err == nil:
		s.served.Add(1)
	case !out.started:
		s.fail(w, r, err)
	default:
		// Part of the image is out: only a broken connection tells the
		// client that it is not whole.
		s.failed.Add(1)
		panic(http.ErrAbortHandler)
	}
}

// encode runs the engine from src to the response in the given format.
// TIFF, whose directory is written last, goes through a temporary file.
func (s *Server) encode(ctx context.Context, src raster.RowReader, plan *filter.Plan, out *output, format string, h raster.Header, o codec.WriteOptions) error {
	var dst io.Writer = out
	var spool *os.File
	if format == "tiff" {
		f, err := os.CreateTemp(s.cfg.TmpDir, "sluice-result-*.tif")
		if err != nil {
			return fmt.Errorf("result spool: %w", err)
		}
		defer os.Remove(f.Name())
		defer f.Close()
		spool, dst = f, f
	}
	o.Format = format
	enc, err := codec.NewWriter(dst, "result", h, o)
	if err != nil {
		return withStatus(http.StatusBadRequest, err)
	}
	job, err := s.sched.newJob(src, enc, plan)
	if err != nil {
		enc.Abort()
		return err
	}
	err = job.Run(ctx)
	if err == nil {
		err = enc.Close()
	} else {
		enc.Abort()
	}
	if err != nil || spool == nil {
		return err
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err = io.Copy(out, spool)
	return err
}

// classify maps what went wrong with an image to a status: a header over
// the limits is 413, any other fault of the image or the request 400, and
// anything else (a disk full) 500.
func classify(err error) int {
	var le *raster.LimitError
	var fe *raster.FormatError
	var ue *raster.UnsupportedError
	switch {
	case errors.As(err, &le):
		return http.StatusRequestEntityTooLarge
	case errors.As(err, &fe), errors.As(err, &ue), errors.Is(err, codec.ErrUnknownFormat),
		errors.Is(err, io.ErrUnexpectedEOF):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}
