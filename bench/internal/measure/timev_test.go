package measure

import (
	"strings"
	"testing"
	"time"
)

const okReport = `	Command being timed: "vips gaussblur in.ppm out.ppm 2"
	User time (seconds): 3.25
	System time (seconds): 0.50
	Percent of CPU this job got: 180%
	Elapsed (wall clock) time (h:mm:ss or m:ss): 0:02.08
	Maximum resident set size (kbytes): 81234
	Exit status: 0
`

func TestParseTimeV(t *testing.T) {
	tests := []struct {
		name   string
		report string
		want   Usage
	}{
		{"ok", okReport, Usage{
			Wall: 2080 * time.Millisecond, User: 3250 * time.Millisecond, System: 500 * time.Millisecond,
			MaxRSS: 81234 * 1024,
		}},
		{"hours", strings.Replace(okReport, "0:02.08", "1:02:03", 1), Usage{
			Wall: time.Hour + 2*time.Minute + 3*time.Second, User: 3250 * time.Millisecond, System: 500 * time.Millisecond,
			MaxRSS: 81234 * 1024,
		}},
		{"non-zero exit", "Command exited with non-zero status 3\n" + strings.Replace(okReport, "Exit status: 0", "Exit status: 3", 1), Usage{
			Wall: 2080 * time.Millisecond, User: 3250 * time.Millisecond, System: 500 * time.Millisecond,
			MaxRSS: 81234 * 1024, ExitCode: 3,
		}},
		{"signal", "Command terminated by signal 9\n" + okReport, Usage{
			Wall: 2080 * time.Millisecond, User: 3250 * time.Millisecond, System: 500 * time.Millisecond,
			MaxRSS: 81234 * 1024, ExitCode: -1, Signal: 9,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTimeV(tt.report)
			if err != nil {
				t.Fatalf("ParseTimeV: got error %v, want nil", err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if got.CPU() != tt.want.User+tt.want.System {
				t.Errorf("CPU: got %v, want %v", got.CPU(), tt.want.User+tt.want.System)
			}
		})
	}
}

func TestParseTimeVErrors(t *testing.T) {
	tests := []struct{ name, report, wantMsg string }{
		{"empty", "", "no \"Elapsed"},
		{"no rss", strings.Replace(okReport, "Maximum resident set size (kbytes): 81234\n", "", 1), "Maximum resident"},
		{"bad clock", strings.Replace(okReport, "0:02.08", "soon", 1), "bad value"},
		{"clock seconds past 60", strings.Replace(okReport, "0:02.08", "0:75.00", 1), "bad value"},
		{"bad rss", strings.Replace(okReport, "81234", "many", 1), "bad value"},
		{"negative user", strings.Replace(okReport, "3.25", "-1", 1), "bad value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTimeV(tt.report)
			if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("got error %v, want one containing %q", err, tt.wantMsg)
			}
		})
	}
}
