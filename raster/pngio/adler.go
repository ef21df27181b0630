package pngio

// adlerBase is the modulus of Adler-32.
const adlerBase = 65521

// adler32Combine returns the Adler-32 checksum of the concatenation of two
// byte sequences, given the checksum a1 of the first, the checksum a2 of the
// second and the length n2 of the second. It is how the checksums of groups
// deflated apart are joined into the one a zlib stream ends with.
func adler32Combine(a1, a2 uint32, n2 int64) uint32 {
	rem := uint64(n2 % adlerBase)
	s1a, s2a := uint64(a1&0xffff), uint64(a1>>16)
	s1b, s2b := uint64(a2&0xffff), uint64(a2>>16)
	// The first sum adds up the bytes: s1 = s1a + s1b - 1 (each starts at 1).
	s1 := (s1a + s1b + adlerBase - 1) % adlerBase
	// The second sum adds every prefix sum: the second sequence's prefixes
	// each also carry the first sequence's bytes (s1a - 1), n2 times.
	s2 := (s2a + s2b + rem*s1a + adlerBase - rem) % adlerBase
	return uint32(s2<<16 | s1)
}
