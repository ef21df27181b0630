package filter

import (
	"fmt"
	"strconv"
	"strings"
)

// entry is one operation Parse knows.
type entry struct {
	info  OpInfo
	parse func(args []string) (Op, error)
}

// registry lists the operations in the order Ops reports them. It is set in
// init because the parsers' error messages read it.
var registry []entry

func init() {
	registry = []entry{
		{OpInfo{"blur", "SIGMA", "Gaussian blur, kernel radius ceil(3·SIGMA)"}, parseBlur},
		{OpInfo{"box", "R", "mean over a (2R+1)² box"}, parseBox},
		{OpInfo{"sharpen", "[SIGMA[,AMOUNT[,THRESHOLD]]]", "unsharp mask; defaults 1,1,0, THRESHOLD a fraction of full scale"}, parseSharpen},
		{OpInfo{"sobel", "", "Sobel gradient magnitude"}, noArgs("sobel", Sobel{})},
		{OpInfo{"conv", "K1,K2,…", "convolution with an odd square kernel, row by row, divided by its sum unless 0"}, parseConv},
		{OpInfo{"median", "R", "median of the (2R+1)² window"}, parseRank("median", func(r int) Op { return Median{r} })},
		{OpInfo{"erode", "R", "minimum of the (2R+1)² window"}, parseRank("erode", func(r int) Op { return Erode{r} })},
		{OpInfo{"dilate", "R", "maximum of the (2R+1)² window"}, parseRank("dilate", func(r int) Op { return Dilate{r} })},
		{OpInfo{"diffuse", "N[,K]", "Perona–Malik diffusion, N steps, edge threshold K (default 0.05)"}, parseDiffuse},
		{OpInfo{"gray", "", "luma; RGB becomes gray, alpha and depth are kept"}, noArgs("gray", Gray{})},
		{OpInfo{"invert", "", "negative of the colour"}, noArgs("invert", Invert{})},
		{OpInfo{"brightness", "B", "add B in [-1, 1] of full scale"}, parseOne("brightness", "amount", func(v float64) Op { return Brightness{v} })},
		{OpInfo{"contrast", "C", "scale the distance from mid-grey by C in [0, 100]"}, parseOne("contrast", "factor", func(v float64) Op { return Contrast{v} })},
		{OpInfo{"gamma", "G", "raise to the power 1/G, G in (0, 100]"}, parseOne("gamma", "gamma", func(v float64) Op { return Gamma{v} })},
		{OpInfo{"threshold", "T", "full scale where at least T in [0, 1], else 0"}, parseOne("threshold", "level", func(v float64) Op { return Threshold{v} })},
		{OpInfo{"levels", "LO,HI", "stretch [LO, HI] to full scale"}, parseLevels},
		{OpInfo{"crop", "X,Y,W,H", "keep the W×H rectangle at X,Y"}, parseCrop},
		{OpInfo{"shrink", "N", "average each N×N block into one pixel"}, parseRank("shrink", func(n int) Op { return Shrink{n} })},
		{OpInfo{"resize", "S", "scale by S with a Lanczos-3 kernel"}, parseOne("resize", "scale", func(v float64) Op { return Resize{v} })},
		{OpInfo{"rotate", "DEGREES", "turn clockwise by 90, 180 or 270 degrees"}, parseRotate},
		{OpInfo{"flip", "", "mirror top to bottom"}, noArgs("flip", Flip{})},
		{OpInfo{"flop", "", "mirror left to right"}, noArgs("flop", Flop{})},
		{OpInfo{"transpose", "", "swap x and y (mirror along the diagonal from the top left)"}, noArgs("transpose", Transpose{})},
		{OpInfo{"transverse", "", "mirror along the diagonal from the top right"}, noArgs("transverse", Transverse{})},
	}
}

// Parse reads one operation spec: a name, then optionally a colon and
// comma-separated parameters, e.g. "blur:2", "sharpen" or
// "sharpen:1,0.8,0.02". An unknown name gives an error that lists the known
// ones; a bad parameter gives an error naming it and its allowed range.
func Parse(spec string) (Op, error) {
	name, params, hasParams := strings.Cut(strings.TrimSpace(spec), ":")
	var args []string
	if hasParams {
		args = strings.Split(params, ",")
		for i := range args {
			args[i] = strings.TrimSpace(args[i])
		}
	}
	for _, e := range registry {
		if e.info.Name != name {
			continue
		}
		op, err := e.parse(args)
		if err != nil {
			return nil, err
		}
		if err := op.validate(); err != nil {
			return nil, err
		}
		return op, nil
	}
	names := make([]string, len(registry))
	for i, e := range registry {
		names[i] = e.info.Name
	}
	return nil, fmt.Errorf("filter: unknown operation %q (known: %s)", name, strings.Join(names, ", "))
}

// usage is the error for a wrong number of parameters.
func usage(name string) error {
	for _, e := range registry {
		if e.info.Name == name {
			if e.info.Params == "" {
				return fmt.Errorf("filter: %s takes no parameters", name)
			}
			return fmt.Errorf("filter: %s: want %s:%s", name, name, e.info.Params)
		}
	}
	return fmt.Errorf("filter: %s: bad parameters", name)
}

func parseFloat(op, name, s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("filter: %s: %s must be a number, got %q", op, name, s)
	}
	return v, nil
}

func parseInt(op, name, s string) (int, error) {
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("filter: %s: %s must be a whole number, got %q", op, name, s)
	}
	return v, nil
}

func noArgs(name string, op Op) func([]string) (Op, error) {
	return func(args []string) (Op, error) {
		if len(args) != 0 {
			return nil, usage(name)
		}
		return op, nil
	}
}

func parseOne(op, param string, mk func(float64) Op) func([]string) (Op, error) {
	return func(args []string) (Op, error) {
		if len(args) != 1 {
			return nil, usage(op)
		}
		v, err := parseFloat(op, param, args[0])
		if err != nil {
			return nil, err
		}
		return mk(v), nil
	}
}

func parseRank(op string, mk func(int) Op) func([]string) (Op, error) {
	return func(args []string) (Op, error) {
		if len(args) != 1 {
			return nil, usage(op)
		}
		name := "radius"
		if op == "shrink" {
			name = "factor"
		}
		v, err := parseInt(op, name, args[0])
		if err != nil {
			return nil, err
		}
		return mk(v), nil
	}
}

func parseBlur(args []string) (Op, error) {
	if len(args) != 1 {
		return nil, usage("blur")
	}
	v, err := parseFloat("blur", "sigma", args[0])
	return Gaussian{v}, err
}

func parseBox(args []string) (Op, error) {
	if len(args) != 1 {
		return nil, usage("box")
	}
	v, err := parseInt("box", "radius", args[0])
	return Box{v}, err
}

func parseSharpen(args []string) (Op, error) {
	if len(args) > 3 {
		return nil, usage("sharpen")
	}
	s := DefaultSharpen
	fields := []*float64{&s.Sigma, &s.Amount, &s.Threshold}
	names := []string{"sigma", "amount", "threshold"}
	for i, a := range args {
		v, err := parseFloat("sharpen", names[i], a)
		if err != nil {
			return nil, err
		}
		*fields[i] = v
	}
	return s, nil
}

func parseConv(args []string) (Op, error) {
	if len(args) == 0 {
		return nil, usage("conv")
	}
	k := make([]float64, len(args))
	for i, a := range args {
		v, err := parseFloat("conv", fmt.Sprintf("weight %d", i+1), a)
		if err != nil {
			return nil, err
		}
		k[i] = v
	}
	return Convolve{k}, nil
}

func parseLevels(args []string) (Op, error) {
	if len(args) != 2 {
		return nil, usage("levels")
	}
	lo, err := parseFloat("levels", "low", args[0])
	if err != nil {
		return nil, err
	}
	hi, err := parseFloat("levels", "high", args[1])
	if err != nil {
		return nil, err
	}
	return Levels{lo, hi}, nil
}

func parseCrop(args []string) (Op, error) {
	if len(args) != 4 {
		return nil, usage("crop")
	}
	var v [4]int
	for i, name := range []string{"x", "y", "width", "height"} {
		n, err := parseInt("crop", name, args[i])
		if err != nil {
			return nil, err
		}
		v[i] = n
	}
	return Crop{v[0], v[1], v[2], v[3]}, nil
}

func parseRotate(args []string) (Op, error) {
	if len(args) != 1 {
		return nil, usage("rotate")
	}
	v, err := parseInt("rotate", "degrees", args[0])
	return Rotate{Degrees: v}, err
}
