package measure

import (
	"slices"
	"time"
)

// Median returns the median of xs (the mean of the middle two for an even
// count), or 0 for none. xs is not modified.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// MedianDuration is Median for durations.
func MedianDuration(ds []time.Duration) time.Duration {
	xs := make([]float64, len(ds))
	for i, d := range ds {
		xs[i] = float64(d)
	}
	return time.Duration(Median(xs))
}

// PairRatio returns the median over rounds of peer[i] / base[i], using only
// the rounds where both are positive, and how many rounds that was. Runs
// alternate base, peer, base, peer …, so round i of each ran side by side and
// a drift in the machine's speed cancels in each ratio.
func PairRatio(base, peer []float64) (ratio float64, pairs int) {
	var rs []float64
	for i := 0; i < len(base) && i < len(peer); i++ {
		if base[i] > 0 && peer[i] > 0 {
			rs = append(rs, peer[i]/base[i])
		}
	}
	return Median(rs), len(rs)
}
