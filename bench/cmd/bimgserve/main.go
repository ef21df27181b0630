// Command bimgserve is the baseline that `sluice serve` is measured
// against: an image service built the way imaginary is built, net/http and
// github.com/h2non/bimg (libvips through cgo), with one handler that takes
// the same requests as sluice's POST /run for the operations the benchmark
// sends: resize:S and blur:SIGMA, with format=jpeg, png or tiff.
//
// Like imaginary, it reads the whole upload into memory before libvips
// sees it. It needs libvips' headers to build (Debian: libvips-dev).
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"

	"github.com/h2non/bimg"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8081", "address to listen on")
	flag.Parse()
	bimg.VipsCacheSetMax(0)
	http.HandleFunc("POST /run", run)
	log.Fatal(http.ListenAndServe(*listen, nil))
}

func run(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	img := bimg.NewImage(body)
	size, err := img.Size()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	o := bimg.Options{Quality: 90}
	switch r.URL.Query().Get("format") {
	case "jpeg", "":
		o.Type = bimg.JPEG
	case "png":
		o.Type = bimg.PNG
	case "tiff":
		o.Type = bimg.TIFF
	default:
		http.Error(w, "unknown format", http.StatusBadRequest)
		return
	}
	for _, op := range strings.Fields(r.URL.Query().Get("ops")) {
		name, arg, _ := strings.Cut(op, ":")
		v, err := strconv.ParseFloat(arg, 64)
		if err != nil {
			http.Error(w, fmt.Sprintf("bad operation %q", op), http.StatusBadRequest)
			return
		}
		switch name {
		case "resize":
			o.Width = int(float64(size.Width)*v + 0.5)
			o.Height = int(float64(size.Height)*v + 0.5)
		case "blur":
			o.GaussianBlur = bimg.GaussianBlur{Sigma: v}
		default:
			http.Error(w, fmt.Sprintf("operation %q is not in the baseline", name), http.StatusBadRequest)
			return
		}
	}
	out, err := img.Process(o)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/"+bimg.ImageTypeName(o.Type))
	w.Write(out)
}
