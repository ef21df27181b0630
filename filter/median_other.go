//go:build !amd64 || purego

package filter

// sortCols and medianRow run the pure-Go kernels; median_amd64.go
// documents them.
func sortCols(planes, rows [][]byte)                    { sortColsWGo(planes, rows, 8) }
func medianRow(d []byte, planes [][]byte, c int)        { medianRowWGo(d, planes, c, 8) }
func sortColsW(planes, rows [][]byte, bits int)         { sortColsWGo(planes, rows, bits) }
func medianRowW(d []byte, planes [][]byte, c, bits int) { medianRowWGo(d, planes, c, bits) }
