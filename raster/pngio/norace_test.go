//go:build !race

package pngio

const raceEnabled = false
