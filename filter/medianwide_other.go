//go:build !amd64 || purego

package filter

// packPMWords and unpremulWords run the pure-Go kernels;
// medianwide_amd64.go documents them.
func packPMWords(w, px []byte, c int)                 { packPMWordsGo(w, px, c) }
func unpremulWords(d, res []byte, c int, post []byte) { unpremulWordsGo(d, res, c, post) }
