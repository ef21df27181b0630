package filter

// medianHist8 is medianN for samples that are exact 8-bit levels: a sliding
// histogram per row (Huang's algorithm), which costs about 2·(2r+1)
// histogram updates per sample instead of a sort of the window.
func (s *scratch) medianHist8(dst, pad []float32, w, h, r int) {
	n := 2*r + 1
	pw := w + 2*r
	half := n * n / 2
	lv := s.bytes(len(pad))
	for i, v := range pad {
		lv[i] = byte(v*255 + 0.5)
	}
	for y := 0; y < h; y++ {
		var hist [256]int32
		win := lv[y*pw : (y+n-1)*pw+pw]
		for j := 0; j < n; j++ {
			for _, v := range win[j*pw : j*pw+n] {
				hist[v]++
			}
		}
		m, lt := 0, 0
		for lt+int(hist[m]) <= half {
			lt += int(hist[m])
			m++
		}
		d := dst[y*w : (y+1)*w]
		d[0] = lut8[m]
		for x := 1; x < w; x++ {
			for j := 0; j < n; j++ {
				row := win[j*pw+x-1 : j*pw+x+n]
				o, a := row[0], row[n]
				hist[o]--
				hist[a]++
				if int(o) < m {
					lt--
				}
				if int(a) < m {
					lt++
				}
			}
			for lt > half {
				m--
				lt -= int(hist[m])
			}
			for lt+int(hist[m]) <= half {
				lt += int(hist[m])
				m++
			}
			d[x] = lut8[m]
		}
	}
	s.putBytes(lv)
}
