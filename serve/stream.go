package serve

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/codec"
)

// openBody starts decoding an upload. Formats that read front to back
// (PNM, PNG, JPEG) decode while the body arrives; TIFF, whose directory
// may sit at the end, is spooled to a temporary file first. The spool
// counts against MaxBody like the stream does.
func (s *Server) openBody(w http.ResponseWriter, r *http.Request) (*codec.Reader, error) {
	body := &deadlineReader{r: http.MaxBytesReader(w, r.Body, s.cfg.MaxBody), rc: http.NewResponseController(w), idle: s.cfg.ReadTimeout}
	br := bufio.NewReaderSize(body, 64<<10)
	head, err := br.Peek(16)
	if len(head) == 0 {
		if err == nil || errors.Is(err, io.EOF) {
			return nil, statusf(http.StatusBadRequest, "the request has no body: send the image as the body")
		}
		return nil, err
	}
	if codec.Sniff(head) != "tiff" {
		return codec.NewReader(br, "upload", codec.ReadOptions{Limits: s.limits()})
	}
	f, err := os.CreateTemp(s.cfg.TmpDir, "sluice-upload-*.tif")
	if err != nil {
		return nil, fmt.Errorf("spooling the upload: %w", err)
	}
	// Unlinked at once: the spool goes when the file is closed, however
	// the job ends.
	os.Remove(f.Name())
	if _, err := io.Copy(f, br); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	rd, err := codec.OpenFile(f, "upload", codec.ReadOptions{Limits: s.limits()})
	if err != nil {
		f.Close()
		return nil, err
	}
	return rd, nil // closing rd closes f
}

func (s *Server) limits() raster.Limits {
	l := raster.DefaultLimits
	l.MaxPixels = s.cfg.MaxPixels
	return l
}

// deadlineReader pushes the connection's read deadline forward before each
// read, so that a body that stops arriving fails after idle instead of
// holding its job for ever, while a long upload that keeps coming is fine.
type deadlineReader struct {
	r    io.Reader
	rc   *http.ResponseController
	idle time.Duration
}

func (d *deadlineReader) Read(p []byte) (int, error) {
	_ = d.rc.SetReadDeadline(time.Now().Add(d.idle)) // unsupported: no deadline
	return d.r.Read(p)
}

// output writes the result to the response. Until the first byte leaves,
// an error can still become a status; after it, the connection is aborted.
type output struct {
	w       http.ResponseWriter
	ctype   string
	started bool
}

func (o *output) Write(p []byte) (int, error) {
	if !o.started {
		o.started = true
		o.w.Header().Set("Content-Type", o.ctype)
		o.w.Header().Set("X-Content-Type-Options", "nosniff")
		o.w.WriteHeader(http.StatusOK)
	}
	return o.w.Write(p)
}

// contentType is the media type of each output format.
func contentType(format string) string {
	switch format {
	case "png":
		return "image/png"
	case "jpeg":
		return "image/jpeg"
	case "tiff":
		return "image/tiff"
	case "pnm":
		return "image/x-portable-anymap"
	}
	return "application/octet-stream"
}
