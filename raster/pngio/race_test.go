//go:build race

package pngio

// raceEnabled reports a build with the race detector, which makes the
// encoder about ten times slower: the large cases then run fewer variants.
const raceEnabled = true
