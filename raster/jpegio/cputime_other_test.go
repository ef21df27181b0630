//go:build !unix

package jpegio

import "time"

// cpuTime is unavailable here; benchmarks then report no CPU figures.
func cpuTime() time.Duration { return 0 }
