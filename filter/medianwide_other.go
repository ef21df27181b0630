//go:build !amd64 || purego

package filter

// packPMSplit, medianPairs and unpremulWords run the pure-Go kernels;
// medianwide_amd64.go documents them.
func packPMSplit(e, o, px []byte, c int) { packPMSplitGo(e, o, px, c) }

func medianPairs(d []byte, planes [][]byte, c, half int, tmp []byte) {
	medianPairsGo(d, planes, c, half, 0, tmp)
}

func unpremulWords(d, res []byte, c int, post []byte) { unpremulWordsGo(d, res, c, post) }
