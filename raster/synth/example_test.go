package synth_test

import (
	"fmt"
	"hash/crc32"
	"io"
	"log"

	"github.com/sluice-go/sluice/raster"
	"github.com/sluice-go/sluice/raster/synth"
)

// Example streams a 640×480 RGB image through a buffer of 32 rows, as an
// encoder would, and prints a checksum: the same on every machine.
func Example() {
	r := synth.New(640, 480, raster.RGB8, synth.Options{Seed: 42})
	defer r.Close()
	h := r.Header()
	fmt.Println(h.Format, h.Width, h.Height, h.Pixel, h.Details)

	buf := make([]byte, 32*h.RowBytes())
	sum, rows := crc32.NewIEEE(), 0
	for {
		n, err := r.ReadRows(buf)
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		sum.Write(buf[:n*h.RowBytes()])
		rows += n
	}
	fmt.Printf("%d rows, crc32 %08x\n", rows, sum.Sum32())
	// Output:
	// synth 640 480 rgb8 [seed 42]
	// 480 rows, crc32 93c4dd02
}
