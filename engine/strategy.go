package engine

import (
	"fmt"
	"math"

	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/raster"
)

// Strategy is how a Job runs an iterative chain: a lone diffuse, whose
// steps each read the one before.
type Strategy int

const (
	// Auto lets the job pick, from the steps, the image, the workers and
	// the budget.
	Auto Strategy = iota
	// Fused runs the whole chain on each tile, reading a border as wide
	// as the steps and recomputing it: streaming, constant memory, the way
	// every chain runs.
	Fused
	// Steps streams bands of rows through a pipeline of stages that each
	// take some of the steps: nothing is recomputed, and each step keeps
	// two rows of state, so memory grows with the steps.
	Steps
	// Exchange holds the whole image as float32 strips, one per worker,
	// that trade their edge rows with their neighbours at every step
	// (sluice.Exchange): nothing is recomputed, but the image must fit
	// the budget twice over.
	Exchange
)

var strategyNames = []string{"auto", "fused", "steps", "exchange"}

// String returns the strategy's name, as ParseStrategy reads it.
func (s Strategy) String() string {
	if s < 0 || int(s) >= len(strategyNames) {
		return fmt.Sprintf("Strategy(%d)", int(s))
	}
	return strategyNames[s]
}

// ParseStrategy reads a strategy name: auto, fused, steps or exchange.
func ParseStrategy(name string) (Strategy, error) {
	for i, n := range strategyNames {
		if n == name {
			return Strategy(i), nil
		}
	}
	return 0, fmt.Errorf("unknown strategy %q (known: auto, fused, steps, exchange)", name)
}

// Strategy returns how the job runs its chain and why, e.g. "exchange:
// the 4000×4000 image as float32 state (366.2 MiB with its double) fits
// the budget of 1.0 GiB, and no step is recomputed (fused would compute
// 1.90 times the pixels)".
func (j *Job) Strategy() (Strategy, string) { return j.strategy, j.why }

// Iterative reports whether the chain is a lone diffuse, which the job
// can run with any Strategy.
func (j *Job) Iterative() bool { return j.iter != nil }

// iterative is what the Steps and Exchange strategies know of the chain.
type iterative struct {
	d        filter.Diffuse
	w, h     int
	f        raster.PixelFormat
	rowF     int64 // bytes of one row of float32 state
	stages   int   // Steps: stages of the step pipeline
	bandRows int   // Steps: rows per band
	parts    int   // Exchange: strips
}

// stepStages is how many stages the Steps strategy cuts n steps into:
// two per worker, so that the stages keep every core busy, at most one
// per step.
func stepStages(n, workers int) int { return max(1, min(n, 2*workers)) }

// pickStrategy decides how the job runs; want is Options.Strategy.
func (j *Job) pickStrategy(want Strategy) error {
	chain := j.plan.Chain()
	d, ok := filter.Diffuse{}, len(chain) == 1
	if ok {
		d, ok = chain[0].(filter.Diffuse)
	}
	if !ok {
		if want != Auto && want != Fused {
			return fmt.Errorf("engine: the %s strategy runs a lone diffuse, not %q", want, chain)
		}
		j.strategy, j.why = Fused, "fused: the chain is not iterative"
		return nil
	}
	it := &iterative{d: d, w: j.in.Width, h: j.in.Height, f: j.in.Pixel}
	it.rowF = int64(it.w) * int64(it.f.Channels) * 4
	it.parts = min(j.workers, it.h)
	it.stages = stepStages(d.N, j.workers)
	j.iter = it

	// Memory: Exchange holds the image twice as float32 and one strip of
	// pixels; Steps at least a band of one row per stage and per worker
	// besides, and two rows per step.
	exchangeMem := 2*it.rowF*int64(it.h) + int64(it.h/it.parts+1)*int64(j.in.RowBytes())
	stepBands := int64(it.stages + 2*j.workers + 2)
	stepCarry := 2 * int64(d.N) * it.rowF
	stepMem := stepBands*(it.rowF+int64(j.in.RowBytes())) + stepCarry
	// Work, in steps of the whole image per worker, as measured on
	// 4,000² images (bench/run --only diffuse). Fused and Steps work on
	// blocks and bands that stay in the cache, but Fused also reads and
	// converts each tile's border and writes in parallel, about one
	// step's worth; Exchange sweeps its strips from memory at every
	// step, about 1.3 times the cost per pixel, and reads and writes the
	// image while nothing else runs, about one step's worth.
	over := fusedOverlap(j, d.N)
	fusedCost := (float64(d.N)*over + 1) / float64(j.workers)
	stepsCost := float64(d.N) / float64(min(it.stages, j.workers))
	exchangeCost := 1.3*float64(d.N)/float64(it.parts) + 1
	img := fmt.Sprintf("%d×%d", it.w, it.h)
	budget := raster.FormatBytes(j.budget)
	fusedNote := fmt.Sprintf("fused would compute %.2f times the pixels", over)
	exchangeFits := exchangeMem <= j.budget
	stepsFit := stepMem <= j.budget
	// Exchange must save more than a little to be worth holding the
	// whole image.
	const margin = 0.95

	switch {
	case want == Exchange && !exchangeFits:
		return fmt.Errorf("engine: the exchange strategy holds the %s image as float32 state, %s, more than the memory budget of %s",
			img, raster.FormatBytes(exchangeMem), budget)
	case want == Steps && !stepsFit:
		return fmt.Errorf("engine: the steps strategy needs %s for %d steps of a %s image, more than the memory budget of %s",
			raster.FormatBytes(stepMem), d.N, img, budget)
	case want == Fused:
		j.strategy, j.why = Fused, fmt.Sprintf("fused: as asked; it computes %.2f times the pixels", over)
	case want == Steps:
		j.strategy, j.why = Steps, fmt.Sprintf("steps: as asked; %s", fusedNote)
	case want == Exchange:
		j.strategy, j.why = Exchange, fmt.Sprintf("exchange: as asked; %s", fusedNote)
	case stepsFit && stepsCost <= fusedCost && (!exchangeFits || stepsCost <= exchangeCost):
		why := fmt.Sprintf("exchange would hold the %s image as float32 state, %s, more than the budget of %s", img, raster.FormatBytes(exchangeMem), budget)
		if exchangeFits {
			why = fmt.Sprintf("exchange would hold %s and sweep it from memory at every step", raster.FormatBytes(exchangeMem))
		}
		j.strategy, j.why = Steps, fmt.Sprintf("steps: bands stream through %d stages of steps without recomputing (%s; %s)",
			it.stages, fusedNote, why)
	case exchangeFits && exchangeCost < margin*fusedCost:
		why := ""
		if !stepsFit {
			why = fmt.Sprintf("; steps would need %s for its %d steps", raster.FormatBytes(stepMem), d.N)
		}
		j.strategy, j.why = Exchange, fmt.Sprintf("exchange: the %s image as float32 state (%s with its double) fits the budget of %s, and no step is recomputed (%s%s)",
			img, raster.FormatBytes(exchangeMem), budget, fusedNote, why)
	default:
		j.strategy, j.why = Fused, fmt.Sprintf("fused: it computes only %.2f times the pixels, and streams", over)
		if !stepsFit && !exchangeFits {
			j.why = fmt.Sprintf("fused: it computes %.2f times the pixels, but the steps strategy needs %s and exchange %s, more than the budget of %s",
				over, raster.FormatBytes(stepMem), raster.FormatBytes(exchangeMem), budget)
		}
	}
	if j.strategy == Steps {
		// Bands of about 256 KiB of state, as Plan.Run's blocks, so that
		// a stage's steps on one band stay in the cache; no taller than
		// the tile side or than the budget allows with every stage,
		// worker and step's state in it.
		room := (j.budget - stepCarry) / stepBands
		it.bandRows = int(max(1, min(int64(j.tileSide), max(2, (256<<10)/it.rowF), room/(it.rowF+int64(j.in.RowBytes())))))
	}
	return nil
}

// fusedOverlap is how many pixels the fused strategy computes per output
// pixel over n steps: each step's region is the block a worker computes
// (Plan.Run cuts a tile into blocks of about 256 KiB of float32) grown by
// the steps still to come, clamped to the image.
func fusedOverlap(j *Job, n int) float64 {
	bw := min(j.tileSide, 512, j.outW)
	bh := max(16, (256<<10)/(bw*j.in.Pixel.Channels*4))
	bh = min(bh, j.bandH)
	base := float64(bw) * float64(bh)
	sum := 0.0
	for k := range n {
		sum += float64(min(bw+2*k, j.outW)) * float64(min(bh+2*k, j.outH)) / base
	}
	return math.Max(1, sum/float64(n))
}
