# make test runs the whole suite with the race detector. The interop tests
# use vips, tiffcp, tiffinfo, pngcheck, convert and gm when they are on the
# PATH (Debian: libvips-tools libtiff-tools pngcheck imagemagick
# graphicsmagick); with CI=true a missing tool fails the run.
.PHONY: test bench build fuzz

test:
	go test -race ./...
	go test -count=1 -run Allocations ./engine

build:
	go build -o sluice ./cmd/sluice

bench:
	bench/run

# fuzz runs the core's fuzz test for two minutes; FUZZTIME=10m for longer.
FUZZTIME ?= 2m
fuzz:
	go test -run '^$$' -fuzz FuzzPipeline -fuzztime $(FUZZTIME) .
