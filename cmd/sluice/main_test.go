package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/sluice-go/sluice/internal/testtool"
)

func TestMain(m *testing.M) {
	testtool.QuickRaceExit()
	testscript.Main(m, map[string]func(){
		"sluice": main,
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("GORACE", os.Getenv("GORACE"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// truncate FILE SIZE cuts FILE to SIZE bytes.
			"truncate": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 2 {
					ts.Fatalf("usage: truncate FILE SIZE")
				}
				n, err := strconv.ParseInt(args[1], 10, 64)
				ts.Check(err)
				ts.Check(os.Truncate(ts.MkAbs(args[0]), n))
			},
		},
	})
}

// TestExitCodes checks the status the process exits with, which scripts
// only see as zero or not.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.ppm")
	if out, err := exec.Command("sluice", "gen", "--quiet", "40x30", in).CombinedOutput(); err != nil {
		t.Fatalf("gen: %v\n%s", err, out)
	}
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"ok", []string{"run", "--quiet", in, filepath.Join(dir, "ok.png"), "blur:1"}, 0},
		{"help", []string{"run", "--help"}, 0},
		{"usage: no args", []string{}, 2},
		{"usage: unknown command", []string{"frobnicate"}, 2},
		{"usage: unknown op", []string{"run", in, filepath.Join(dir, "x.png"), "blurr:2"}, 2},
		{"usage: bad flag", []string{"run", "--workers=-1", in, filepath.Join(dir, "x.png")}, 2},
		{"failure: missing input", []string{"run", filepath.Join(dir, "nope.ppm"), filepath.Join(dir, "x.png")}, 1},
		{"failure: crop outside", []string{"run", in, filepath.Join(dir, "x.png"), "crop:0,0,100,100"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := exec.Command("sluice", tt.args...).Run()
			got := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				got = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("sluice %v: got exit status %d, want %d", tt.args, got, tt.want)
			}
		})
	}
}

// TestInterrupt sends SIGINT (and SIGTERM) in the middle of a run: the
// process must stop within a second, exit 130, and leave no output file,
// not even a temporary one.
func TestInterrupt(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.ppm")
	if out, err := exec.Command("sluice", "gen", "--quiet", "3000x3000", in).CombinedOutput(); err != nil {
		t.Fatalf("gen: %v\n%s", err, out)
	}
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			out := filepath.Join(dir, "out.png")
			cmd := exec.Command("sluice", "run", "--quiet", "--workers", "1", in, out, "median:4", "median:4", "median:4")
			stderr := &lockedBuffer{}
			cmd.Stderr = stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Wait until the run is under way: its temporary file exists.
			deadline := time.Now().Add(20 * time.Second)
			for !hasTemp(t, dir) {
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					cmd.Wait()
					t.Fatalf("the run never created its temporary file; stderr: %s", stderr)
				}
				time.Sleep(10 * time.Millisecond)
			}
			sent := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			var err error
			select {
			case err = <-done:
			case <-ctx.Done():
				cmd.Process.Kill()
				<-done
				t.Fatalf("still running 10 s after %v", sig)
			}
			// A second is the promise; the race detector and a shared
			// machine get some slack before this fails.
			if took := time.Since(sent); took > 3*time.Second {
				t.Errorf("took %v to stop after %v, want under a second", took, sig)
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 130 {
				t.Errorf("got %v, want exit status 130", err)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("output file exists after interrupt (stat: %v)", err)
			}
			if hasTemp(t, dir) {
				t.Errorf("temporary file left behind after interrupt")
			}
			if got := stderr.String(); got != "sluice: interrupted; no output was written\n" {
				t.Errorf("stderr: got %q, want the interrupted message", got)
			}
		})
	}
}

// hasTemp reports whether dir holds anything but in.ppm.
func hasTemp(t *testing.T, dir string) bool {
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.Name() != "in.ppm" {
			return true
		}
	}
	return false
}

// TestStatsBudget checks that --stats reports the budget --memory gave,
// and the pipeline's cap on bytes in flight within it.
func TestStatsBudget(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.tif"), filepath.Join(dir, "out.tif")
	runCmd(t, "gen", "2000x1500", in)
	var st statsJSON
	js := runCmd(t, "run", "--stats=json", "--memory", "4MiB", "--workers", "2", in, out, "blur:2")
	if err := json.Unmarshal([]byte(js), &st); err != nil {
		t.Fatalf("stats JSON: %v\n%s", err, js)
	}
	if st.BudgetBytes != 4<<20 {
		t.Errorf("budget_bytes %d, want --memory's %d", st.BudgetBytes, 4<<20)
	}
	if st.InFlightCap <= 0 || st.InFlightCap > st.BudgetBytes {
		t.Errorf("in_flight_cap_bytes %d, want within (0, %d]", st.InFlightCap, st.BudgetBytes)
	}
	if st.PeakBytes <= 0 || st.PeakBytes > st.InFlightCap {
		t.Errorf("peak_bytes_in_flight %d, want within (0, %d]", st.PeakBytes, st.InFlightCap)
	}
	text := runCmd(t, "run", "--stats", "--memory", "4MiB", in, out, "blur:2")
	if !strings.Contains(text, "of a 4.0 MiB budget") {
		t.Errorf("stats text does not name the 4 MiB budget:\n%s", text)
	}
}
