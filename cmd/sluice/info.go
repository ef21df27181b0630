package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/codec"
)

const infoUsage = `usage: sluice info [--json] FILE

Prints what FILE's header says: format, size, pixel format, compression,
tiling, and the metadata that travels to the output (ICC profile, EXIF,
orientation). No pixel is decoded.`

func runInfo(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("info", infoUsage)
	asJSON := fs.Bool("json", false, "print the header as JSON")
	pos, err := parseArgs(fs, e.stdout, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("info needs one FILE (run 'sluice info --help')")
	}
	r, err := codec.Open(pos[0], codec.ReadOptions{HeaderOnly: true})
	if err != nil {
		return err
	}
	defer r.Close()
	h := r.Header()
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(infoJSON{
			File: pos[0], Format: h.Format, Width: h.Width, Height: h.Height,
			Pixel: h.Pixel.String(), Compression: h.Compression,
			TileWidth: h.TileWidth, TileHeight: h.TileHeight, Interlaced: h.Interlaced, Details: h.Details,
			ICCBytes: len(h.Meta.ICC), ICCDescription: raster.ICCDescription(h.Meta.ICC), EXIFBytes: len(h.Meta.EXIF),
			Orientation: int(h.Orientation),
		})
	}
	fmt.Fprintf(e.stdout, "file:        %s\n", pos[0])
	fmt.Fprintf(e.stdout, "format:      %s\n", h.Format)
	fmt.Fprintf(e.stdout, "size:        %d×%d (%.1f megapixels)\n", h.Width, h.Height, float64(h.Width)*float64(h.Height)/1e6)
	fmt.Fprintf(e.stdout, "pixel:       %s (%d channels, %d bits per sample)\n", h.Pixel, h.Pixel.Channels, h.Pixel.Depth)
	fmt.Fprintf(e.stdout, "decoded:     %s\n", raster.FormatBytes(h.Bytes()))
	if h.Compression != "" {
		fmt.Fprintf(e.stdout, "compression: %s\n", h.Compression)
	}
	if h.Tiled() {
		fmt.Fprintf(e.stdout, "tiles:       %d×%d\n", h.TileWidth, h.TileHeight)
	} else {
		fmt.Fprintf(e.stdout, "tiles:       none (rows)\n")
	}
	if h.Interlaced {
		fmt.Fprintf(e.stdout, "interlaced:  yes (decoded whole)\n")
	}
	if len(h.Details) > 0 {
		fmt.Fprintf(e.stdout, "details:     %s\n", strings.Join(h.Details, ", "))
	}
	printMeta(e.stdout, h)
	return nil
}

// printMeta prints the metadata lines of info: the ICC profile's size and
// description, the EXIF block's size, the orientation by number and name.
func printMeta(w io.Writer, h raster.Header) {
	if icc := h.Meta.ICC; len(icc) > 0 {
		desc := raster.ICCDescription(icc)
		if desc != "" {
			desc = fmt.Sprintf(" %q", desc)
		}
		fmt.Fprintf(w, "icc:         %s%s\n", raster.FormatBytes(int64(len(icc))), desc)
	}
	if len(h.Meta.EXIF) > 0 {
		fmt.Fprintf(w, "exif:        %s\n", raster.FormatBytes(int64(len(h.Meta.EXIF))))
	}
	if h.Orientation.Valid() {
		fmt.Fprintf(w, "orientation: %d (%s)\n", h.Orientation, orientationNames[h.Orientation])
	}
}

// orientationNames say how each orientation shows the stored pixels.
var orientationNames = [...]string{
	raster.TopLeft:     "top-left: as stored",
	raster.TopRight:    "top-right: mirrored left to right",
	raster.BottomRight: "bottom-right: upside down",
	raster.BottomLeft:  "bottom-left: mirrored top to bottom",
	raster.LeftTop:     "left-top: transposed",
	raster.RightTop:    "right-top: to turn a quarter clockwise",
	raster.RightBottom: "right-bottom: transposed and turned half a turn",
	raster.LeftBottom:  "left-bottom: to turn a quarter anticlockwise",
}

type infoJSON struct {
	File        string   `json:"file"`
	Format      string   `json:"format"`
	Width       int      `json:"width"`
	Height      int      `json:"height"`
	Pixel       string   `json:"pixel"`
	Compression string   `json:"compression,omitempty"`
	TileWidth   int      `json:"tile_width,omitempty"`
	TileHeight  int      `json:"tile_height,omitempty"`
	Interlaced  bool     `json:"interlaced,omitempty"`
	Details     []string `json:"details,omitempty"`

	ICCBytes       int    `json:"icc_bytes,omitempty"`
	ICCDescription string `json:"icc_description,omitempty"`
	EXIFBytes      int    `json:"exif_bytes,omitempty"`
	Orientation    int    `json:"orientation,omitempty"`
}
