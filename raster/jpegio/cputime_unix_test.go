//go:build unix

package jpegio

import (
	"syscall"
	"time"
)

// cpuTime is the user and system CPU time the process has used so far, so
// that benchmarks on a busy machine can report the work done rather than the
// wall time spent waiting for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
