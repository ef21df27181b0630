package pngio

// absSigned[b] is the absolute value of b read as a signed byte.
var absSigned = func() (t [256]uint8) {
	for i := range t {
		v := int(int8(i))
		t[i] = uint8(max(v, -v))
	}
	return t
}()

// paethByte is the Paeth predictor of the specification for the byte to the
// left (a), above (b) and above-left (c), written so that the compiler can
// use conditional moves instead of branches.
func paethByte(a, b, c byte) byte {
	pa := int(b) - int(c) // |p - a|, where p = a + b - c
	pb := int(a) - int(c) // |p - b|
	pc := abs(pa + pb)    // |p - c|
	pa, pb = abs(pa), abs(pb)
	if pb < pa {
		a, pa = b, pb
	}
	if pc < pa {
		a = c
	}
	return a
}

// filterRow writes row cur, filtered, to out (len(cur)+1 bytes: the filter
// type, then the data), given the unfiltered row above, prev, and the filter
// distance bpp. With adaptive set it computes all five filters in one pass
// and keeps the one whose output has the smallest sum of absolute values,
// read as signed bytes (the heuristic libpng uses); otherwise it uses None.
// scratch holds four rows' worth of space for the candidates.
func filterRow(out, cur, prev []byte, bpp int, adaptive bool, scratch *[4][]byte) {
	if !adaptive {
		out[0] = ftNone
		copy(out[1:], cur)
		return
	}
	n := len(cur)
	prev = prev[:n]
	sub, up, avg, pae := scratch[0][:n], scratch[1][:n], scratch[2][:n], scratch[3][:n]
	var sNone, sSub, sUp, sAvg, sPae int
	// The first pixel has no left neighbour: a = c = 0.
	for i := range bpp {
		x, b := cur[i], prev[i]
		sub[i], up[i], avg[i], pae[i] = x, x-b, x-b/2, x-b
		sNone += int(absSigned[x])
		sUp += int(absSigned[x-b])
		sAvg += int(absSigned[x-b/2])
	}
	sSub, sPae = sNone, sUp
	for i := bpp; i < n; i++ {
		x, a, b, c := cur[i], cur[i-bpp], prev[i], prev[i-bpp]
		s := x - a
		u := x - b
		v := x - byte((uint(a)+uint(b))>>1)
		p := x - paethByte(a, b, c)
		sub[i], up[i], avg[i], pae[i] = s, u, v, p
		sNone += int(absSigned[x])
		sSub += int(absSigned[s])
		sUp += int(absSigned[u])
		sAvg += int(absSigned[v])
		sPae += int(absSigned[p])
	}
	best, bestSum, data := byte(ftNone), sNone, cur
	for _, c := range [...]struct {
		ft  byte
		sum int
		buf []byte
	}{{ftSub, sSub, sub}, {ftUp, sUp, up}, {ftAvg, sAvg, avg}, {ftPaeth, sPae, pae}} {
		if c.sum < bestSum {
			best, bestSum, data = c.ft, c.sum, c.buf
		}
	}
	out[0] = best
	copy(out[1:], data)
}
