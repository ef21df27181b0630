//go:build !unix

package tiffio

func cpuTime() int64 { return 0 }
