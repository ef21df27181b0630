//go:build !amd64 || purego

package filter

// sortCols and medianRow run the pure-Go kernels; median_amd64.go
// documents them.
func sortCols(planes, rows [][]byte)               { sortColsGo(planes, rows) }
func medianRow(d []byte, planes [][]byte, c int)   { medianRowGo(d, planes, c) }
func sortCols16(planes, rows [][]byte)             { sortCols16Go(planes, rows) }
func medianRow16(d []byte, planes [][]byte, c int) { medianRow16Go(d, planes, c) }
