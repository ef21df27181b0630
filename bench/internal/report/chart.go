package report

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Chart draws r as a PNG of two panels. The top one shows each tool's
// median wall time relative to sluice's in each image comparison, on a log
// scale: a bar rises from sluice's 1× when the tool is slower and falls
// when it is faster, so a tool 50 times slower does not hide the others.
// The bottom one shows peak memory against image size for the comparisons
// marked Scaling, also on a log scale so that every tool is visible (peak
// memory relative to sluice per comparison when there are none, as in a
// quick run). A tool that did not end OK has no bar.
func Chart(w io.Writer, r *Result) error {
	if len(r.Images) == 0 {
		return fmt.Errorf("report: no image comparisons to chart")
	}
	tools := toolNames(r.Images)
	width := vg.Length(3.5+1.1*float64(len(r.Images))) * vg.Inch
	width = max(width, 9*vg.Inch)
	// Each comparison gets one unit of the X axis; its bars fill 80% of it.
	barW := (width - vg.Inch) / vg.Length(len(r.Images)) * 0.8 / vg.Length(len(tools))
	top, err := ratioPanel(r.Images, tools, barW, "Median wall time relative to sluice (log scale; above 1× is slower than sluice)",
		func(t ToolResult) float64 { return t.WallS })
	if err != nil {
		return err
	}
	var bottom *plot.Plot
	if hasScaling(r.Images) {
		bottom, err = scalingPanel(r.Images, tools)
	} else {
		bottom, err = ratioPanel(r.Images, tools, barW, "Median peak RSS relative to sluice (log scale; above 1× uses more)",
			func(t ToolResult) float64 { return float64(t.MaxRSS) })
	}
	if err != nil {
		return err
	}
	img := vgimg.New(width, 10*vg.Inch)
	dc := draw.New(img)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	plots := [][]*plot.Plot{{top}, {bottom}}
	canvases := plot.Align(plots, draw.Tiles{Rows: 2, Cols: 1, PadY: vg.Inch / 4, PadX: vg.Inch / 8,
		PadTop: vg.Inch / 8, PadBottom: vg.Inch / 8, PadLeft: vg.Inch / 8, PadRight: vg.Inch / 8}, dc)
	for i := range plots {
		plots[i][0].Draw(canvases[i][0])
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(w); err != nil {
		return fmt.Errorf("report: writing chart: %w", err)
	}
	return nil
}

// toolNames lists every tool name in the order first seen.
func toolNames(cs []Comparison) []string {
	var names []string
	for _, c := range cs {
		for _, t := range c.Tools {
			if !slices.Contains(names, t.Tool) {
				names = append(names, t.Tool)
			}
		}
	}
	return names
}

func hasScaling(cs []Comparison) bool {
	n := 0
	for _, c := range cs {
		if c.Scaling {
			n++
		}
	}
	return n >= 2
}

// ratioPanel groups one bar per tool over each comparison: the tool's
// value divided by the first tool's (sluice's), drawn as log10 of the
// ratio from 0 (1×), with ticks labelled as ratios.
func ratioPanel(cs []Comparison, tools []string, barW vg.Length, title string, value func(ToolResult) float64) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	labels := make([]string, len(cs))
	for i, c := range cs {
		labels[i] = c.Name
	}
	lo, hi := 0.0, 0.0
	for k, name := range tools {
		vals := make(plotter.Values, len(cs))
		for i, c := range cs {
			if len(c.Tools) == 0 || c.Tools[0].Outcome != "ok" || value(c.Tools[0]) <= 0 {
				continue
			}
			base := value(c.Tools[0])
			for _, t := range c.Tools {
				if t.Tool == name && t.Outcome == "ok" && value(t) > 0 {
					vals[i] = math.Log10(value(t) / base)
					lo, hi = min(lo, vals[i]), max(hi, vals[i])
				}
			}
		}
		bars, err := plotter.NewBarChart(vals, barW)
		if err != nil {
			return nil, fmt.Errorf("report: chart: %w", err)
		}
		bars.LineStyle.Width = 0
		bars.Color = toolColor(k)
		bars.Offset = barW * vg.Length(float64(k)-float64(len(tools)-1)/2)
		p.Add(bars)
		if k > 0 { // the first is the base: its bars are empty
			p.Legend.Add(name, bars)
		}
	}
	one := plotter.NewFunction(func(float64) float64 { return 0 })
	one.Color = toolColor(0)
	one.Width = vg.Points(1.5)
	p.Add(one)
	p.Legend.Add(tools[0]+" = 1×", one)
	// Room above the tallest bar for the legend.
	p.Y.Min = math.Floor(lo/math.Log10(2))*math.Log10(2) - 0.05
	p.Y.Max = max(hi, 0.5) + 0.55*(max(hi, 0.5)-p.Y.Min)
	p.Y.Tick.Marker = ratioTicks{}
	p.Y.Label.Text = "× sluice"
	p.Legend.Top = true
	p.Legend.Left = false
	p.NominalX(labels...)
	p.X.Min, p.X.Max = -0.5, float64(len(cs))-0.5
	return p, nil
}

// ratioTicks labels an axis of log10 ratios with the ratios: 1/4×, 1×, 4×.
type ratioTicks struct{}

// Ticks implements plot.Ticker.
func (ratioTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	for e := math.Floor(min / math.Log10(2)); e*math.Log10(2) <= max; e++ {
		v := e * math.Log10(2)
		if v < min {
			continue
		}
		label := ""
		// Label every power of two near 1×, every other one further out.
		if math.Abs(e) <= 3 || int(e)%2 == 0 {
			r := math.Pow(2, e)
			if r >= 1 {
				label = fmt.Sprintf("%.0f×", r)
			} else {
				label = fmt.Sprintf("1/%.0f×", 1/r)
			}
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: label})
	}
	return ticks
}

// palette has one distinct colour per tool, enough for every comparison.
var palette = []color.RGBA{
	{0xd6, 0x27, 0x28, 0xff}, {0x1f, 0x77, 0xb4, 0xff}, {0x2c, 0xa0, 0x2c, 0xff}, {0xff, 0x7f, 0x0e, 0xff},
	{0x94, 0x67, 0xbd, 0xff}, {0x8c, 0x56, 0x4b, 0xff}, {0xe3, 0x77, 0xc2, 0xff}, {0xff, 0x98, 0x96, 0xff},
	{0x7f, 0x7f, 0x7f, 0xff}, {0x17, 0xbe, 0xcf, 0xff},
}

// toolColor is the colour of the k-th tool; sluice, first, is red.
func toolColor(k int) color.Color { return palette[k%len(palette)] }

// scalingPanel plots peak RSS against megapixels, one line per tool, over
// the comparisons marked Scaling.
func scalingPanel(cs []Comparison, tools []string) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "Peak RSS (MiB, log scale) against image size, Gaussian blur σ=2 TIFF→TIFF"
	p.X.Label.Text = "megapixels"
	p.Y.Label.Text = "MiB"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.X.Min = 0
	lo, hi := math.Inf(1), 0.0
	for k, name := range tools {
		var pts plotter.XYs
		for _, c := range cs {
			if !c.Scaling {
				continue
			}
			for _, t := range c.Tools {
				if t.Tool == name && t.Outcome == "ok" && t.MaxRSS > 0 {
					mp := float64(c.Size) * float64(c.Size) / 1e6
					pts = append(pts, plotter.XY{X: mp, Y: float64(t.MaxRSS) / (1 << 20)})
					lo, hi = min(lo, pts[len(pts)-1].Y), max(hi, pts[len(pts)-1].Y)
				}
			}
		}
		if len(pts) == 0 {
			continue
		}
		line, points, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, fmt.Errorf("report: chart: %w", err)
		}
		line.Color = toolColor(k)
		line.Width = vg.Points(2)
		points.Color = toolColor(k)
		points.Shape = plotutil.Shape(k)
		p.Add(line, points)
		p.Legend.Add(name, line, points)
	}
	if hi > 0 {
		// Room at the top for the legend.
		p.Y.Min, p.Y.Max = lo/1.5, hi*math.Pow(hi/lo*1.5, 0.4)
	}
	p.Legend.Top = true
	p.Legend.Left = true
	return p, nil
}
