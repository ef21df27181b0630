// Package measure runs a command under GNU time (/usr/bin/time -v) and
// reads back what it reports: wall time, CPU time, peak resident memory and
// how the command ended.
package measure

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Usage is what /usr/bin/time -v reports about one finished command.
type Usage struct {
	Wall     time.Duration // "Elapsed (wall clock) time"
	User     time.Duration // "User time (seconds)"
	System   time.Duration // "System time (seconds)"
	MaxRSS   int64         // "Maximum resident set size", in bytes
	ExitCode int           // "Exit status"; -1 when a signal ended the command
	Signal   int           // the signal that ended the command, or 0
}

// CPU is user plus system time.
func (u Usage) CPU() time.Duration { return u.User + u.System }

// ParseTimeV reads the report that GNU time -v writes. It needs at least the
// wall clock, user, system and maximum resident set size lines; any other
// line is ignored.
func ParseTimeV(report string) (Usage, error) {
	var u Usage
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(report))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "Command terminated by signal "); ok {
			n, err := strconv.Atoi(strings.TrimSpace(rest))
			if err != nil {
				return Usage{}, fmt.Errorf("measure: bad signal line %q", line)
			}
			u.Signal, u.ExitCode = n, -1
			continue
		}
		key, val, ok := strings.Cut(line, ": ")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		var err error
		switch {
		case key == "User time (seconds)":
			u.User, err = parseSeconds(val)
		case key == "System time (seconds)":
			u.System, err = parseSeconds(val)
		case strings.HasPrefix(key, "Elapsed (wall clock) time"):
			u.Wall, err = parseClock(val)
			key = "Elapsed (wall clock) time"
		case key == "Maximum resident set size (kbytes)":
			var kb int64
			kb, err = strconv.ParseInt(val, 10, 64)
			u.MaxRSS = kb * 1024
		case key == "Exit status":
			if u.Signal == 0 {
				u.ExitCode, err = strconv.Atoi(val)
			}
		default:
			continue
		}
		if err != nil {
			return Usage{}, fmt.Errorf("measure: bad value in %q: %w", line, err)
		}
		seen[key] = true
	}
	for _, k := range []string{"Elapsed (wall clock) time", "User time (seconds)", "System time (seconds)", "Maximum resident set size (kbytes)"} {
		if !seen[k] {
			return Usage{}, fmt.Errorf("measure: report has no %q line", k)
		}
	}
	return u, nil
}

// parseSeconds reads "12.34".
func parseSeconds(s string) (time.Duration, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("not a number of seconds: %q", s)
	}
	return time.Duration(f * float64(time.Second)), nil
}

// parseClock reads GNU time's elapsed format: "m:ss.cc" or "h:mm:ss".
func parseClock(s string) (time.Duration, error) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, fmt.Errorf("not a clock time: %q", s)
	}
	var total float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil || f < 0 || (i > 0 && f >= 60) {
			return 0, fmt.Errorf("not a clock time: %q", s)
		}
		total = total*60 + f
	}
	return time.Duration(total * float64(time.Second)), nil
}
