package main

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// These tests run the command built without the race detector, as users
// run it, and read its peak resident memory from the kernel (rusage).
// Their bounds are generous: exact figures belong to benchmarks.

var (
	builtOnce sync.Once
	builtPath string
	builtErr  error
)

// builtSluice builds the command into a temporary folder once per test
// binary, without -race.
func builtSluice(t *testing.T) string {
	t.Helper()
	builtOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sluice-bin-")
		if err != nil {
			builtErr = err
			return
		}
		builtPath = filepath.Join(dir, "sluice")
		out, err := exec.Command("go", "build", "-o", builtPath, ".").CombinedOutput()
		if err != nil {
			builtErr = &buildError{err, string(out)}
		}
	})
	if builtErr != nil {
		t.Fatalf("building the command: %v", builtErr)
	}
	return builtPath
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// runRSS runs the built command with args and returns its stderr and peak
// RSS in MiB; it fails the test unless the exit status is wantOK's.
func runRSS(t *testing.T, wantOK bool, args ...string) (string, float64) {
	t.Helper()
	if args[0] == "run" && wantOK {
		// The run reports its own peak (VmHWM) in its stats: the child's
		// rusage would also count this test process's memory, which Linux
		// carries into a child across exec.
		args = append([]string{"run", "--stats=json"}, args[1:]...)
	}
	cmd := exec.Command(builtSluice(t), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if (err == nil) != wantOK {
		t.Fatalf("sluice %s: got %v, want success %v; stderr: %s", strings.Join(args, " "), err, wantOK, stderr.String())
	}
	if args[0] == "run" && wantOK {
		var st struct {
			PeakRSS int64 `json:"peak_rss_bytes"`
		}
		if err := json.Unmarshal(stdout.Bytes(), &st); err != nil || st.PeakRSS <= 0 {
			t.Fatalf("sluice %s: no peak_rss_bytes in the stats (%v): %s", strings.Join(args, " "), err, stdout.String())
		}
		return stderr.String(), float64(st.PeakRSS) / (1 << 20)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Fatal("no rusage for the child process")
	}
	return stderr.String(), float64(ru.Maxrss) / 1024 // Linux reports KiB
}

// writeInterlaced writes a w×h 16-bit RGBA interlaced PNG whose pixels are
// all zero: a small file that decodes to w·h·8 bytes.
func writeInterlaced(t *testing.T, path string, w, h int) {
	t.Helper()
	chunk := func(bw *bufio.Writer, typ string, data []byte) {
		b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		b = append(b, typ...)
		b = append(b, data...)
		bw.Write(b)
		bw.Write(binary.BigEndian.AppendUint32(nil, crc32IEEE(b[4:])))
	}
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestSpeed)
	zero := make([]byte, 1<<20)
	for _, p := range [7][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}} {
		pw, ph := (w-p[0]+p[2]-1)/p[2], (h-p[1]+p[3]-1)/p[3]
		if pw <= 0 || ph <= 0 {
			continue
		}
		for n := ph * (pw*8 + 1); n > 0; n -= len(zero) {
			zw.Write(zero[:min(n, len(zero))])
		}
	}
	zw.Close()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriter(f)
	bw.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	chunk(bw, "IHDR", append(ihdr, 16, 6, 0, 0, 1))
	chunk(bw, "IDAT", z.Bytes())
	chunk(bw, "IEND", nil)
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestInterlacedSpillRSS converts an interlaced PNG that decodes to eight
// times the memory budget: it spills to --tmpdir and peak RSS stays within
// the budget and 64 MiB; past --spill-limit it is refused, naming the flag.
func TestInterlacedSpillRSS(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "ilace16.png")
	writeInterlaced(t, in, 2048, 2048) // 32 MiB decoded
	tmp := filepath.Join(dir, "scratch")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.png")
	_, rss := runRSS(t, true, "run", "--quiet", "--memory", "4MiB", "--tmpdir", tmp, in, out)
	if rss > 4+64 {
		t.Errorf("peak RSS %.0f MiB, want at most --memory + 64 MiB = 68 MiB", rss)
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Errorf("got %d files left in --tmpdir, want none", len(ents))
	}
	os.Remove(out)
	stderr, _ := runRSS(t, false, "run", "--quiet", "--spill-limit", "16MiB", in, out)
	if !strings.Contains(stderr, "--spill-limit") || !strings.HasPrefix(stderr, "sluice: "+in+": png: ") {
		t.Errorf("stderr: got %q, want the file and --spill-limit named", stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("got an output file after the refusal")
	}
}

// TestWorkersCappedRSS asks for 100,000 workers on an 800×600 image: the
// budget caps them, one line says so, and memory stays bounded.
func TestWorkersCappedRSS(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.ppm")
	runRSS(t, true, "gen", "--quiet", "800x600", in)
	stderr, rss := runRSS(t, true, "run", "--workers", "100000", in, filepath.Join(dir, "out.ppm"), "blur:2")
	if !strings.HasPrefix(stderr, "sluice: --workers 100000 capped at ") || strings.Count(stderr, "capped") != 1 {
		t.Errorf("stderr: got %q, want one line saying the workers were capped", stderr)
	}
	if rss > 32+64 {
		t.Errorf("peak RSS %.0f MiB, want at most the default budget + 64 MiB = 96 MiB", rss)
	}
}

// TestRSSFlatWithLength filters a square, a tall and a wide image of the
// same width or height with a small budget: peak RSS must not grow with
// the image's length.
func TestRSSFlatWithLength(t *testing.T) {
	dir := t.TempDir()
	rss := map[string]float64{}
	for _, size := range []string{"1500x1500", "1500x12000", "12000x1500"} {
		in := filepath.Join(dir, size+".tif")
		runRSS(t, true, "gen", "--quiet", size, in)
		_, rss[size] = runRSS(t, true, "run", "--quiet", "--memory", "8MiB", in, filepath.Join(dir, "out.tif"), "blur:2", "median:1")
		os.Remove(in)
	}
	for _, size := range []string{"1500x12000", "12000x1500"} {
		if ratio := rss[size] / rss["1500x1500"]; ratio > 1.2 {
			t.Errorf("%s: peak RSS %.0f MiB is %.2f× the square's %.0f MiB, want at most 1.2×", size, rss[size], ratio, rss["1500x1500"])
		}
	}
}

func crc32IEEE(b []byte) uint32 { return crc32.ChecksumIEEE(b) }

// TestTurnRSS transposes a 20,000 × 2,000 image (114 MiB) with a small
// budget: the image goes through a scratch file in --tmpdir, which is
// gone afterwards, and peak RSS stays near the budget.
func TestTurnRSS(t *testing.T) {
	dir := t.TempDir()
	scratch := t.TempDir()
	for _, tc := range []struct{ size, op string }{{"20000x2000", "transpose"}} {
		in := filepath.Join(dir, "in.ppm")
		out := filepath.Join(dir, "out.ppm")
		runRSS(t, true, "gen", "--quiet", tc.size, in)
		_, rss := runRSS(t, true, "run", "--quiet", "--memory", "16MiB", "--tmpdir", scratch, in, out, tc.op)
		if rss > 16+64 {
			t.Errorf("%s %s: peak RSS %.0f MiB, want at most the budget + 64 MiB = 80 MiB", tc.size, tc.op, rss)
		}
		if fi, err := os.Stat(out); err != nil || fi.Size() < 2000*20000*3 {
			t.Errorf("%s %s: output %v, %v; want the whole image", tc.size, tc.op, fi, err)
		}
		if ents, _ := os.ReadDir(scratch); len(ents) != 0 {
			t.Errorf("%s %s: %d files left in --tmpdir, want none", tc.size, tc.op, len(ents))
		}
		os.Remove(in)
		os.Remove(out)
	}
}
