//go:build !unix

package pngio

import "time"

// cpuTime is not measured on this system; the cpu-ms/op metric reads 0.
func cpuTime() time.Duration { return 0 }
