package measure

import (
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want float64
	}{
		{"none", nil, 0},
		{"one", []float64{4}, 4},
		{"odd unsorted", []float64{9, 1, 5}, 5},
		{"even", []float64{4, 1, 3, 2}, 2.5},
		{"outlier", []float64{1, 1, 1, 100, 1}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]float64(nil), tt.in...)
			if got := Median(in); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			for i := range in {
				if in[i] != tt.in[i] {
					t.Fatalf("input modified: got %v, want %v", in, tt.in)
				}
			}
		})
	}
}

func TestMedianDuration(t *testing.T) {
	got := MedianDuration([]time.Duration{3 * time.Second, time.Second, 2 * time.Second})
	if got != 2*time.Second {
		t.Errorf("got %v, want 2s", got)
	}
}

func TestPairRatio(t *testing.T) {
	tests := []struct {
		name       string
		base, peer []float64
		want       float64
		wantPairs  int
	}{
		{"steady", []float64{1, 1, 1}, []float64{2, 2, 2}, 2, 3},
		// The machine slows down by half in round 2: pair by pair the
		// ratio stays 2, where a ratio of medians would not see it.
		{"drift cancels", []float64{1, 2, 1}, []float64{2, 4, 2}, 2, 3},
		{"failed rounds skipped", []float64{1, 0, 1}, []float64{3, 3, 0}, 3, 1},
		{"unequal lengths", []float64{1, 1, 1, 1}, []float64{2, 4}, 3, 2},
		{"nothing", nil, nil, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, pairs := PairRatio(tt.base, tt.peer)
			if got != tt.want || pairs != tt.wantPairs {
				t.Errorf("got %v over %d pairs, want %v over %d", got, pairs, tt.want, tt.wantPairs)
			}
		})
	}
}
