package main

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// peakRSS is the process's peak resident set size in bytes: VmHWM, the
// high-water mark of this program's own memory. getrusage's ru_maxrss is
// the fallback only: it also counts the memory of the process that started
// this one, as it stood when it started it (Linux carries it across exec).
func peakRSS() int64 {
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range bytes.Split(b, []byte("\n")) {
			if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
				kb, err := strconv.ParseInt(string(bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(v), []byte("kB")))), 10, 64)
				if err == nil {
					return kb << 10
				}
			}
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss * 1024
}
