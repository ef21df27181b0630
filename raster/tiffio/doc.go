// Package tiffio reads and writes TIFF and BigTIFF images as streams of rows,
// so that images far larger than memory pass through a few strips or tiles at
// a time.
//
// The Reader reads classic TIFF and BigTIFF files in either byte order,
// stored in strips or tiles with chunky planar configuration, compressed with
// nothing, Deflate (8 and 32946), LZW or PackBits, with or without the
// horizontal predictor. It delivers the eight pixel formats of package raster:
// 8- and 16-bit gray, gray+alpha, RGB and RGBA. It also reads 1-, 2- and
// 4-bit gray and MinIsWhite files as Gray8, and palette files as RGB8.
// Associated (premultiplied) alpha is converted to straight alpha, as
// package raster wants it; 16-bit samples come out big-endian whatever the
// file's byte order.
// ReadRows decompresses one strip or row of tiles at a time on the calling
// goroutine; through raster.BandReader the caller may decompress them on
// as many goroutines as it likes.
//
// The Writer writes little-endian ("II") files in strips or tiles,
// uncompressed or compressed with Deflate, LZW or PackBits, optionally with
// the horizontal predictor. Through raster.BandWriter strips and rows of
// tiles can be compressed in parallel and written in order. BigTIFF is
// chosen automatically when the file could pass 4 GiB.
//
// Only the first image (IFD) of a file is read; the chain of further IFDs is
// walked to count the pages and to reject loops.
//
// Metadata: the ICC profile (tag 34675) and the orientation (tag 274) are
// read into Header.Meta and Header.Orientation, and the EXIF and GPS IFDs,
// with IFD0's descriptive tags, are rebuilt into a standalone EXIF block;
// the Writer stores them the same way.
package tiffio
