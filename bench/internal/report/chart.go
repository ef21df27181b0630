package report

import (
	"fmt"
	"image/color"
	"io"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Chart draws r as a PNG of two panels: the median wall time of each tool
// in each image comparison, and peak memory against image size for the
// comparisons marked Scaling (peak memory per comparison when there are
// none, as in a quick run). A tool that did not end OK has no bar.
func Chart(w io.Writer, r *Result) error {
	if len(r.Images) == 0 {
		return fmt.Errorf("report: no image comparisons to chart")
	}
	tools := toolNames(r.Images)
	width := vg.Length(3.5+1.1*float64(len(r.Images))) * vg.Inch
	width = max(width, 9*vg.Inch)
	// Each comparison gets one unit of the X axis; its bars fill 80% of it.
	barW := (width - vg.Inch) / vg.Length(len(r.Images)) * 0.8 / vg.Length(len(tools))
	top, err := barPanel(r.Images, tools, barW, "Median wall time (s), lower is better", func(t ToolResult) float64 { return t.WallS })
	if err != nil {
		return err
	}
	var bottom *plot.Plot
	if hasScaling(r.Images) {
		bottom, err = scalingPanel(r.Images, tools)
	} else {
		bottom, err = barPanel(r.Images, tools, barW, "Median peak RSS (MiB), lower is better",
			func(t ToolResult) float64 { return float64(t.MaxRSS) / (1 << 20) })
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

// barPanel groups one bar per tool over each comparison.
func barPanel(cs []Comparison, tools []string, barW vg.Length, title string, value func(ToolResult) float64) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.Y.Min = 0
	labels := make([]string, len(cs))
	for i, c := range cs {
		labels[i] = c.Name
	}
	top := 0.0
	for k, name := range tools {
		vals := make(plotter.Values, len(cs))
		for i, c := range cs {
			for _, t := range c.Tools {
				if t.Tool == name && t.Outcome == "ok" {
					vals[i] = value(t)
					top = max(top, vals[i])
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
		p.Legend.Add(name, bars)
	}
	// Room above the tallest bar for the legend.
	p.Y.Max = top * (1.15 + 0.07*float64(len(tools)))
	p.Legend.Top = true
	p.Legend.Left = false
	p.NominalX(labels...)
	p.X.Min, p.X.Max = -0.5, float64(len(cs))-0.5
	return p, nil
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
	p.Title.Text = "Peak RSS (MiB) against image size, Gaussian blur σ=2 TIFF→TIFF"
	p.X.Label.Text = "megapixels"
	p.Y.Label.Text = "MiB"
	p.X.Min, p.Y.Min = 0, 0
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
	p.Legend.Top = true
	p.Legend.Left = true
	return p, nil
}
