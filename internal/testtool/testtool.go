// Package testtool finds the external programs that interop tests compare
// against (vips, vipsheader, tiffcp, tiffinfo, pngcheck, convert, gm,
// djpeg, cjpeg, exiftool), and keeps tests that start child processes
// quick under -race (QuickRaceExit).
//
// On a developer's machine a missing program skips the test that needs it,
// with the Debian package to install. In CI (the environment variable CI is
// set) a missing program fails the test instead, so that a green run never
// hides interop tests that did not run.
package testtool

import (
	"os"
	"os/exec"
	"testing"
)

// packages maps each program to the Debian package that provides it.
var packages = map[string]string{
	"vips":       "libvips-tools",
	"vipsheader": "libvips-tools",
	"exiftool":   "libimage-exiftool-perl",
	"tiffcp":     "libtiff-tools",
	"tiffinfo":   "libtiff-tools",
	"pngcheck":   "pngcheck",
	"convert":    "imagemagick",
	"gm":         "graphicsmagick",
	"djpeg":      "libjpeg-turbo-progs",
	"cjpeg":      "libjpeg-turbo-progs",
}

// Require returns the path of program name. When it is not on the PATH it
// skips t, or fails it when the CI environment variable is set.
func Require(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	pkg := packages[name]
	if pkg == "" {
		pkg = name
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed (Debian package %s); CI must install it", name, pkg)
	}
	t.Skipf("%s is not installed; apt-get install %s to run this test", name, pkg)
	return ""
}

// QuickRaceExit spares each child process of a -race test binary (a test
// that starts copies of itself, or of a command it builds in) the second
// the race detector waits at exit for reports from other goroutines. A
// race found while a child runs still fails it (exit status 66). It keeps
// a GORACE the caller set; call it from TestMain, before any child starts.
func QuickRaceExit() {
	if _, ok := os.LookupEnv("GORACE"); !ok {
		os.Setenv("GORACE", "atexit_sleep_ms=0")
	}
}
