package measure

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func needTime(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath(TimeBinary); err != nil {
		t.Skipf("GNU time (%s) is not installed (Debian package time)", TimeBinary)
	}
}

func TestRun(t *testing.T) {
	needTime(t)
	dir := t.TempDir()
	tests := []struct {
		name       string
		cmd        Command
		timeout    time.Duration
		want       Outcome
		wantDetail string
	}{
		{"ok", Command{Argv: []string{"sh", "-c", "echo x > out"}, Dir: dir, Output: "out"}, time.Minute, OK, ""},
		{"no output", Command{Argv: []string{"true"}, Dir: dir, Output: "missing"}, time.Minute, Failed, "no output file"},
		{"exit status", Command{Argv: []string{"sh", "-c", "echo broken >&2; exit 3"}}, time.Minute, Failed, "exit status 3: broken"},
		{"signal", Command{Argv: []string{"sh", "-c", "kill -9 $$"}}, time.Minute, Killed, "signal 9"},
		{"timeout", Command{Argv: []string{"sleep", "30"}}, 200 * time.Millisecond, TimedOut, "still running"},
		{"env", Command{Argv: []string{"sh", "-c", `test "$BENCH_X" = 1`}, Env: []string{"BENCH_X=1"}}, time.Minute, OK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			s, err := Run(context.Background(), tt.cmd, tt.timeout)
			if err != nil {
				t.Fatalf("Run: got error %v, want nil", err)
			}
			if s.Outcome != tt.want {
				t.Errorf("outcome: got %q (%s), want %q", s.Outcome, s.Detail, tt.want)
			}
			if !strings.Contains(s.Detail, tt.wantDetail) {
				t.Errorf("detail: got %q, want it to contain %q", s.Detail, tt.wantDetail)
			}
			if tt.want == TimedOut && time.Since(start) > 10*time.Second {
				t.Errorf("timeout took %v, want about %v", time.Since(start), tt.timeout)
			}
		})
	}
}

func TestRunMeasures(t *testing.T) {
	needTime(t)
	// A command that touches 64 MiB and sleeps: peak RSS and wall time
	// must show both.
	s, err := Run(context.Background(), Command{Argv: []string{"sh", "-c",
		"head -c 67108864 /dev/zero | tail -c 1 >/dev/null; sleep 0.3"}}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if s.Outcome != OK {
		t.Fatalf("outcome: got %q (%s), want ok", s.Outcome, s.Detail)
	}
	if s.Wall < 300*time.Millisecond {
		t.Errorf("wall: got %v, want at least 300ms", s.Wall)
	}
	if s.MaxRSS <= 0 {
		t.Errorf("max RSS: got %d, want > 0", s.MaxRSS)
	}
}

func TestRunRemovesStaleOutput(t *testing.T) {
	needTime(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	if err := os.WriteFile(out, []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Run(context.Background(), Command{Argv: []string{"true"}, Output: out}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if s.Outcome != Failed {
		t.Errorf("got %q, want %q: a file left by an earlier run must not count", s.Outcome, Failed)
	}
}

func TestCommandString(t *testing.T) {
	c := Command{Env: []string{"MAGICK_CONFIGURE_PATH=my dir"}, Argv: []string{"convert", "in.tif", "-gaussian-blur", "0x2", "it's.tif"}}
	want := `MAGICK_CONFIGURE_PATH='my dir' convert in.tif -gaussian-blur 0x2 'it'\''s.tif'`
	if got := c.String(); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
