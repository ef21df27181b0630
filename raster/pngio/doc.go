// Package pngio reads and writes PNG images as streams of rows, so that an
// image far larger than memory passes through in a few rows at a time.
//
// The Reader decodes every colour type and bit depth of the PNG
// specification, checks every chunk's CRC and the zlib checksum, and hands
// out rows in one of the raster pixel formats (see Reader for the mapping).
// An interlaced (Adam7) file cannot be streamed: it is decoded whole into a
// raster.Spill, in memory up to ReaderOptions.Spill.Memory bytes and in a
// temporary file past that, so its size is bounded by disk space and
// Spill.Limit (16 GiB by default) rather than by memory.
//
// The Writer encodes the eight raster pixel formats. It cuts the image into
// groups of rows that worker goroutines filter and deflate independently;
// the compressed groups are joined into one zlib stream the way pigz joins
// its independent blocks (each group starts with an empty window, a sync
// flush ends every group but the last, and the Adler-32 checksums of the
// groups are combined), so encoding scales with cores and the output is one
// ordinary PNG. The bytes written depend only on the header and the
// compression level, never on the number of workers.
//
// Metadata: the Reader puts the iCCP profile (inflated, at most
// raster.MaxMetadata) and the eXIf block found before the image data in
// Header.Meta, and the EXIF orientation in Header.Orientation; the Writer
// stores the header's Meta the same way, before the image data. A chunk
// that cannot be trusted is dropped with a note in Header.Details.
package pngio
