// Package jpegio reads and writes JPEG images in bands of rows, in
// memory that grows with the width, never the height. It is a codec of its
// own in Go (no cgo; its hot kernels also in AVX2 assembly),
// following libjpeg-turbo's arithmetic where that decides the result, so
// that its pixels match djpeg's and its files cjpeg's.
//
// # Decoding
//
// Baseline and extended (8-bit) sequential files, and progressive files;
// grayscale, YCbCr with any integral sampling factors (4:4:4, 4:2:2,
// 4:2:0, 4:4:0, 4:1:1 …), RGB, and Adobe CMYK and YCCK; restart
// intervals. 12-bit samples, arithmetic coding, lossless and hierarchical
// files are refused with a *raster.UnsupportedError.
//
// The inverse DCT is libjpeg's accurate integer one, colour conversion
// uses libjpeg's tables, and chroma is upsampled as libjpeg-turbo does by
// default ("fancy" upsampling): at 2:1 across or down, each output sample
// weighs its nearest input sample 3/4 and the next one 1/4 (a triangle
// filter); other ratios (4:1:1) replicate samples. On amd64 with AVX2 the
// IDCT, YCbCr to RGB and the 2:1 upsampling run as vector kernels
// (dec_amd64.s, written by internal/asmgen with avo) that compute the
// same integers as their pure-Go twins, which the purego build tag
// selects; tests compare both on random and extreme input. On the test corpus
// (files from cjpeg with every -sample setting, -restart, -progressive,
// -grayscale, -rgb, and CMYK from ImageMagick) the pixels are the same
// bytes as djpeg's. CMYK and YCCK come out as RGB8 the way djpeg's PPM
// writer makes them: R = C×K/255 on the stored (Adobe-inverted) values.
//
// A baseline file streams by bands of MCU rows. A progressive file needs
// every coefficient before the first row is final, so its scans are first
// decoded into a store of coefficients, 2 bytes each, about 3 bytes per
// pixel for 4:2:0 colour: in memory up to ReaderOptions.Memory, else in an
// unlinked temporary file, up to ReaderOptions.SpillLimit.
//
// Headers are checked before anything proportional to the image is
// allocated; malformed data is a *raster.FormatError giving the byte
// offset; the work is bounded by the limits and by at most 1000 scans.
//
// # Encoding
//
// Baseline JPEG with cjpeg's quantisation tables scaled by quality, its
// forward DCT, colour conversion and chroma downsampling, so that a file
// is within a fraction of a percent of cjpeg's size and PSNR at the same
// settings. Chroma is 4:2:0 unless WriterOptions.Subsample says "444" or
// "422"; WriterOptions.Optimize fits the Huffman tables to the image.
//
// Each MCU row is converted and coded at once, so that its planes stay in
// the core's cache: the blocks of 8 MCUs are transformed, then coded, and
// without Optimize the Huffman codes go straight into the bit buffer. On
// amd64 with AVX2, the forward DCT with quantisation (on 16-bit words as
// libjpeg-turbo's, divided by 16-bit reciprocals), the colour conversion
// and the chroma downsampling run as vector kernels, and with BMI1 and
// BMI2 too a block's Huffman coding runs as scalar assembly (enc_amd64.s,
// written with avo by internal/asmgen); they give the same bytes as their
// pure-Go twins, which the build tag purego, or a CPU without those
// instructions, runs.
//
// # Metadata
//
// The decoder joins the APP2 "ICC_PROFILE" chunks into Header.Meta.ICC
// (a profile whose chunks disagree on their count, repeat or miss one is
// dropped, as libjpeg drops it, with a note in Header.Details) and takes
// the first APP1 "Exif" block, without its prefix, into Header.Meta.EXIF,
// and its orientation into Header.Orientation. The encoder writes them
// back after the JFIF segment: the EXIF in one APP1 segment (left out
// past 65,527 bytes), the profile in chunks of 65,519 bytes (left out past
// 255 chunks). ReadHeader reads all this without decoding a pixel.
//
// # Parallel work as plain functions
//
// Code in raster/ starts no goroutines; the work that can run in parallel
// is offered as plain functions for the caller's pool:
//
//   - Decoding: Decoder.NextBand is the serial step (Huffman decoding into
//     a Band of coefficients, in order); Band.Decode is the parallel one
//     (dequantisation, IDCT, upsampling, colour conversion into the rows
//     Band.Rows names). Distinct bands decode at once on any goroutines;
//     the pixels do not depend on which or in what order. A band owns its
//     buffers and can be handed back to NextBand once decoded.
//   - Restart intervals: given ReaderOptions.At, the Reader's serial bands
//     of a baseline file with restart markers that start whole MCU rows
//     hold the offsets of their intervals, not coefficients: NextBand only
//     finds the markers, and the band's Decode does the Huffman decoding
//     too, of its rows and of the MCU row above and below that its chroma
//     upsampling reads. Those are decoded twice, once per band that needs
//     them, unless one goroutine decodes the two bands one after the
//     other (it then goes on from where its decoder stands) or the caller
//     joins the bands (Reader.JoinBands): they then leave the rows where
//     they meet, and Reader.JoinBand writes them, in order, from the edges
//     each band kept.
//   - Encoding: Encoder.EncodeBand(i, pixels) is the parallel step: band i
//     (the rows Encoder.BandRows names) becomes an entropy-coded segment,
//     a restart interval ending in its RST marker. Encoder.WriteSegment
//     joins segments in band order and Encoder.Close ends the file. The
//     bytes depend on WriterOptions.BandRows, never on the worker count.
//
// Reader and Writer run the same steps one band at a time on the caller's
// goroutine, as raster.RowReader and raster.RowWriter. They also offer the
// steps to a scheduler: Reader is a raster.SerialBandReader (NextBand the
// serial step, the band's Decode the parallel one) and Writer a
// raster.BandWriter (EncodeBand parallel, WriteBand the serial join);
// package engine runs them in its pool.
package jpegio
