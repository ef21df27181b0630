//go:build unix

package tiffio

import "syscall"

// cpuTime is the CPU time this process has used, in nanoseconds, or 0 when
// it cannot tell.
func cpuTime() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
