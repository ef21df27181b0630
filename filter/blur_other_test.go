//go:build !amd64 || purego

package filter

// asmSupported reports whether the vector kernels can run: this build has
// none.
func asmSupported() bool { return false }
