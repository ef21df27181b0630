package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"

	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/codec"
)

// newFlagSet returns a flag set whose errors come back as usage errors and
// whose help text is printed by parseArgs.
func newFlagSet(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.Init(name+"\n"+usage, flag.ContinueOnError)
	return fs
}

// parseArgs parses flags anywhere among the arguments (sluice run in.tif
// out.png blur:2 --workers 2 works) and returns the positional ones. A lone
// "--" ends the flags. With -h or --help it prints the command's help to
// stdout and returns errHelpShown.
func parseArgs(fs *flag.FlagSet, stdout io.Writer, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printFlagHelp(stdout, fs)
				return nil, errHelpShown
			}
			msg := strings.Replace(err.Error(), "flag -", "flag --", 1)
			return nil, usageErrorf("%s: %s (run 'sluice %s --help')", commandName(fs), msg, commandName(fs))
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func commandName(fs *flag.FlagSet) string {
	name, _, _ := strings.Cut(fs.Name(), "\n")
	return name
}

// printFlagHelp prints a command's usage text and its flags.
func printFlagHelp(w io.Writer, fs *flag.FlagSet) {
	_, usage, _ := strings.Cut(fs.Name(), "\n")
	fmt.Fprintln(w, strings.TrimSpace(usage))
	var buf bytes.Buffer
	fs.SetOutput(&buf)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	if buf.Len() > 0 {
		fmt.Fprintf(w, "\nFlags:\n%s", strings.ReplaceAll(buf.String(), "  -", "  --"))
	}
}

// sizeFlag is a byte size given as 512MiB, 2GiB, 8MB or a plain number.
type sizeFlag struct{ n int64 }

func (s *sizeFlag) String() string {
	if s == nil || s.n == 0 {
		return ""
	}
	return strconv.FormatInt(s.n, 10)
}

func (s *sizeFlag) Set(v string) error {
	n, err := parseSize(v)
	if err != nil {
		return err
	}
	s.n = n
	return nil
}

// parseSize reads a byte size with an optional unit: B, KB/KiB, MB/MiB,
// GB/GiB, TB/TiB (K, M, G, T alone mean the binary units).
func parseSize(v string) (int64, error) {
	s := strings.TrimSpace(v)
	i := len(s)
	for i > 0 && (s[i-1] < '0' || s[i-1] > '9') && s[i-1] != '.' {
		i--
	}
	num, unit := s[:i], strings.ToLower(strings.TrimSpace(s[i:]))
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("invalid size %q (want e.g. 512MiB or 2GiB)", v)
	}
	mult := map[string]float64{
		"": 1, "b": 1,
		"k": 1 << 10, "kib": 1 << 10, "kb": 1e3,
		"m": 1 << 20, "mib": 1 << 20, "mb": 1e6,
		"g": 1 << 30, "gib": 1 << 30, "gb": 1e9,
		"t": 1 << 40, "tib": 1 << 40, "tb": 1e12,
	}[unit]
	if mult == 0 {
		return 0, fmt.Errorf("invalid size %q: unknown unit %q (use KiB, MiB, GiB…)", v, unit)
	}
	if f*mult > 1<<62 {
		return 0, fmt.Errorf("invalid size %q: too large", v)
	}
	return int64(f * mult), nil
}

// parseDims reads WxH, e.g. 10000x10000.
func parseDims(v string) (int, int, error) {
	ws, hs, ok := strings.Cut(strings.ToLower(v), "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if !ok || err1 != nil || err2 != nil || w <= 0 || h <= 0 {
		return 0, 0, fmt.Errorf("invalid size %q (want WIDTHxHEIGHT, e.g. 10000x10000)", v)
	}
	if int64(w)*int64(h) > 1<<36 {
		return 0, 0, fmt.Errorf("invalid size %q: more than 2^36 pixels", v)
	}
	return w, h, nil
}

// statsFlag is --stats (a table) or --stats=json.
type statsFlag struct{ mode string }

func (s *statsFlag) String() string   { return s.mode }
func (s *statsFlag) IsBoolFlag() bool { return true }
func (s *statsFlag) Set(v string) error {
	switch v {
	case "true", "text", "table":
		s.mode = "text"
	case "false":
		s.mode = ""
	case "json":
		s.mode = "json"
	default:
		return fmt.Errorf("want --stats or --stats=json, got %q", v)
	}
	return nil
}

// commonFlags are the flags of every command that runs the engine.
type commonFlags struct {
	workers int
	tile    int
	memory  sizeFlag
	quiet   bool
	stats   statsFlag
	write   codec.WriteOptions
	tiled   bool
	watch   watchFlags // --trace, --ui, --stall (watch.go)
	tmpdir  string
	spill   sizeFlag // --spill-limit
	strip   bool     // --strip: no ICC profile, EXIF or orientation in the output

	strategy strategyFlag

	noAutorotate bool // run: keep the pixels as stored (autorotate.go)
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&c.workers, "workers", 0, "filter workers and encoder goroutines (0 = all cores)")
	fs.IntVar(&c.tile, "tile", 0, "tile size in pixels (0 = 256; with --nats, as large as a message holds, up to 1024)")
	fs.Var(&c.memory, "memory", "memory budget for rows in flight, e.g. 64MiB, 2GiB (default 32MiB)")
	fs.BoolVar(&c.quiet, "quiet", false, "print nothing on stderr but errors")
	fs.Var(&c.stats, "stats", "print the stage table at the end (--stats=json for JSON)")
	fs.IntVar(&c.write.Level, "level", 0, "compression level 1-9 for PNG and TIFF deflate (0 = default)")
	fs.StringVar(&c.write.Compression, "compression", "", "TIFF compression: none, deflate, lzw or packbits (default none)")
	fs.BoolVar(&c.write.Predictor, "predictor", false, "TIFF: horizontal predictor with deflate or lzw")
	fs.BoolVar(&c.tiled, "tiled", false, "TIFF: write tiles instead of strips")
	fs.BoolVar(&c.write.BigTIFF, "bigtiff", false, "TIFF: force BigTIFF (chosen automatically past 4 GiB)")
	fs.IntVar(&c.write.Quality, "quality", 0, "JPEG quality 1-100 (default 90)")
	fs.StringVar(&c.write.Subsample, "subsample", "", "JPEG chroma subsampling: 444, 422 or 420 (default 420)")
	fs.BoolVar(&c.write.Optimize, "optimize", false, "JPEG: Huffman tables fitted to the image (smaller; written at the end)")
	fs.BoolVar(&c.strip, "strip", false, "write no metadata: drop the input's ICC profile, EXIF and orientation")
	fs.BoolVar(&c.write.Sync, "sync", false, "flush the output to disk (fsync) before it appears at its path")
	c.watch.register(fs)
	fs.Var(&c.strategy, "strategy", strategyUsage)
	fs.StringVar(&c.write.Format, "format", "", "output format by name (png, jpeg, pnm, ppm, pgm, pam, tiff) instead of OUTPUT's extension; needed for - (standard output)")
	fs.StringVar(&c.tmpdir, "tmpdir", "", "folder for the scratch file of an image that must be decoded whole (default: the system's temporary folder)")
	fs.Var(&c.spill, "spill-limit", "largest scratch file for an image that must be decoded whole, e.g. 64GiB (default 16GiB)")
}

// readOptions are the options to open the input with: an image that must
// be decoded whole is held in memory up to half the budget (the engine
// gets the other half, see engineMemory) and spills to --tmpdir past it.
// A JPEG's restart intervals decode on several goroutines from two
// workers on: the engine joins the bands (jpegio.Reader.JoinBands), so
// that no MCU row is Huffman decoded twice, and a 10,000² JPEG of ours to
// PPM takes 0.51 s of CPU and 0.29 s on two cores against 0.53 and 0.32
// with one goroutine's Huffman decoding feeding the other.
func (c *commonFlags) readOptions() codec.ReadOptions {
	workers := c.workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return codec.ReadOptions{
		Spill:     raster.SpillOptions{Memory: budgetOf(c) / 2, Dir: c.tmpdir, Limit: c.spill.n},
		Intervals: workers >= 2,
	}
}

// engineMemory is the engine's budget for an input with header h: all of
// --memory, or half of it when the reader holds the image whole. Without
// --memory it is 0, the engine's default.
func (c *commonFlags) engineMemory(h raster.Header) int64 {
	if h.Interlaced {
		return budgetOf(c) - budgetOf(c)/2
	}
	return c.memory.n
}

// validate checks the flags that fs parsed, whatever the output format: a
// value given on the command line must be in the range its help states.
func (c *commonFlags) validate(fs *flag.FlagSet) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case c.workers < 0:
		return usageErrorf("--workers must be 0 or more, got %d", c.workers)
	case c.tile < 0:
		return usageErrorf("--tile must be 0 or more, got %d", c.tile)
	case set["level"] && (c.write.Level < 1 || c.write.Level > 9):
		return usageErrorf("--level must be between 1 and 9, got %d", c.write.Level)
	case set["quality"] && (c.write.Quality < 1 || c.write.Quality > 100):
		return usageErrorf("--quality must be between 1 and 100, got %d", c.write.Quality)
	case c.write.Subsample != "" && c.write.Subsample != "444" && c.write.Subsample != "422" && c.write.Subsample != "420":
		return usageErrorf("--subsample must be 444, 422 or 420, got %q", c.write.Subsample)
	case c.tiled && c.tile > 0 && c.tile%16 != 0:
		return usageErrorf("--tile must be a multiple of 16 with --tiled (TIFF tiles are), got %d", c.tile)
	}
	switch c.write.Compression {
	case "", "none", "deflate", "lzw", "packbits":
	default:
		return usageErrorf("--compression must be none, deflate, lzw or packbits, got %q", c.write.Compression)
	}
	c.write.Tiled = c.tiled
	if c.tiled && c.tile > 0 {
		c.write.TileSize = c.tile
	}
	return nil
}
