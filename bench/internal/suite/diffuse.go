package suite

import "strconv"

// DiffuseSize is the side of the input of the diffuse comparisons.
const DiffuseSize = 4000

// DiffuseSteps are the step counts of the diffuse comparisons.
var DiffuseSteps = []int{1, 10, 50, 200}

// diffuseMemory is the budget every sluice row but one runs with: enough
// for the exchange strategy, which holds a 4,000² RGB image as float32
// twice (366 MiB).
const diffuseMemory = "1GiB"

const noteLinear = "linear (isotropic) diffusion, the same number of iterations over the 4 neighbours: " +
	"the nearest iterative smoother it has; Perona–Malik also works out a conductance per neighbour"

// Diffuse returns the iterative comparisons, diffuse-1 … diffuse-200:
// Perona–Malik diffusion with N steps on a 4,000² PPM, by sluice with
// each strategy side by side, the one it picks with a budget that allows
// all three and with the default budget, and the peers' nearest iterative
// smoothers. They are not part of the full run: bench/run --only diffuse
// runs them.
func Diffuse() []Comparison {
	in := Input{Size: DiffuseSize, Ext: "ppm"}
	var out []Comparison
	for _, n := range DiffuseSteps {
		op := "diffuse:" + strconv.Itoa(n)
		sluice := func(extra ...string) []string {
			args := append([]string{"run", "--quiet"}, extra...)
			return append(args, "{in}", "{out}", op)
		}
		out = append(out, Comparison{
			Name:   "diffuse-" + strconv.Itoa(n),
			Work:   "Perona–Malik diffusion, " + strconv.Itoa(n) + " steps, K = 0.05 (" + op + "), PPM→PPM",
			Input:  in,
			OutExt: "ppm",
			Tools: []Tool{
				{Name: "sluice", Program: "sluice", Args: sluice("--memory", diffuseMemory),
					Note: "the strategy sluice picks with --memory " + diffuseMemory},
				{Name: "sluice, 32 MiB", Program: "sluice", Args: sluice(),
					Note: "the strategy sluice picks with the default budget"},
				{Name: "sluice fused", Program: "sluice", Args: sluice("--memory", diffuseMemory, "--strategy", "fused"),
					Note: "recomputes a border that grows with the steps"},
				{Name: "sluice steps", Program: "sluice", Args: sluice("--memory", diffuseMemory, "--strategy", "steps"),
					Note: "bands stream through a pipeline of steps"},
				{Name: "sluice exchange", Program: "sluice", Args: sluice("--memory", diffuseMemory, "--strategy", "exchange"),
					Note: "strips in memory trading edge rows every step"},
				{Name: "G'MIC heat_flow", Program: "sh", Args: []string{"-c", "exec gmic v -99 {in} heat_flow " + strconv.Itoa(n) + " o {out}"},
					Note: noteLinear + "; float32 whole image"},
				{Name: "ImageMagick", Program: "convert", Args: []string{"{in}", "-define", "convolve:scale=!",
					"-morphology", "Convolve:" + strconv.Itoa(n), "3x3: 0,1,0 1,4,1 0,1,0", "{out}"},
					Note: noteLinear + "; " + noteWhole + "; 16-bit (Q16)"},
			},
		})
	}
	return out
}

// All returns every comparison --only can name: the full run's, then the
// diffuse ones.
func All() []Comparison { return append(Full(), Diffuse()...) }
