package measure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// TimeBinary is GNU time, which reports peak memory with -v. The shell
// builtin "time" does not, so the path is absolute.
const TimeBinary = "/usr/bin/time"

// Outcome says how a measured run ended.
type Outcome string

// The ways a measured run can end.
const (
	OK       Outcome = "ok"        // exit status 0 and the output was written
	Failed   Outcome = "failed"    // non-zero exit status or no output
	Killed   Outcome = "killed"    // ended by a signal: the kernel's OOM killer sends SIGKILL
	TimedOut Outcome = "timed out" // still running at the deadline, then killed
)

// Sample is one measured run of one command.
type Sample struct {
	Usage
	Outcome Outcome
	// Detail explains a run that did not end OK: the last lines the command
	// wrote to stderr, or what was missing.
	Detail string
}

// Command is what to run: argv and extra environment entries (KEY=VALUE).
// Output, when set, is a file that the command must leave non-empty for the
// run to count as OK (relative to Dir); it is removed before each run.
type Command struct {
	Argv   []string
	Env    []string
	Output string
	Dir    string
}

// String returns the command line as a shell would read it, environment
// first.
func (c Command) String() string {
	var parts []string
	for _, e := range c.Env {
		k, v, _ := strings.Cut(e, "=")
		parts = append(parts, k+"="+ShellQuote(v))
	}
	for _, a := range c.Argv {
		parts = append(parts, ShellQuote(a))
	}
	return strings.Join(parts, " ")
}

// ShellQuote quotes s for a POSIX shell when it holds anything but safe
// characters.
func ShellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,+%@", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Run runs c under GNU time -v and returns what it measured. A run still
// going after timeout is killed, with its whole process group, and reported
// as TimedOut. The error is for failures of the measurement itself (GNU
// time missing, its report unreadable); a command that fails is a Sample
// with Outcome Failed or Killed and a nil error.
func Run(ctx context.Context, c Command, timeout time.Duration) (Sample, error) {
	if len(c.Argv) == 0 {
		return Sample{}, errors.New("measure: empty command")
	}
	output := c.Output
	if output != "" && !filepath.IsAbs(output) && c.Dir != "" {
		output = filepath.Join(c.Dir, output)
	}
	if output != "" {
		if err := os.Remove(output); err != nil && !errors.Is(err, os.ErrNotExist) {
			return Sample{}, fmt.Errorf("measure: %w", err)
		}
	}
	report, err := os.CreateTemp("", "timev-*.txt")
	if err != nil {
		return Sample{}, fmt.Errorf("measure: %w", err)
	}
	report.Close()
	defer os.Remove(report.Name())

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	args := append([]string{"-v", "-o", report.Name()}, c.Argv...)
	cmd := exec.Command(TimeBinary, args...)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), c.Env...)
	var stderr tailBuffer
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return Sample{}, fmt.Errorf("measure: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	timedOut := false
	select {
	case <-done:
	case <-ctx.Done():
		timedOut = true
		// The group holds time, the command and its children.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	text, err := os.ReadFile(report.Name())
	if err != nil {
		return Sample{}, fmt.Errorf("measure: %w", err)
	}
	var s Sample
	if timedOut {
		s.Outcome = TimedOut
		s.Detail = fmt.Sprintf("still running after %s", timeout)
		s.Wall = timeout
		return s, nil
	}
	u, err := ParseTimeV(string(text))
	if err != nil {
		return Sample{}, fmt.Errorf("%w (stderr: %s)", err, stderr.String())
	}
	s.Usage = u
	switch {
	case u.Signal != 0:
		s.Outcome = Killed
		s.Detail = fmt.Sprintf("killed by signal %d", u.Signal)
		if u.Signal == int(syscall.SIGKILL) {
			s.Detail += " (out of memory?)"
		}
	case u.ExitCode != 0:
		s.Outcome = Failed
		s.Detail = fmt.Sprintf("exit status %d: %s", u.ExitCode, stderr.String())
	default:
		s.Outcome = OK
		if output != "" {
			if fi, err := os.Stat(output); err != nil || fi.Size() == 0 {
				s.Outcome = Failed
				s.Detail = "exit status 0 but no output file " + filepath.Base(output)
			}
		}
	}
	return s, nil
}

// tailBuffer keeps the last 2 KiB written to it.
type tailBuffer struct{ b bytes.Buffer }

const tailMax = 2048

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b.Write(p)
	if t.b.Len() > 2*tailMax {
		keep := append([]byte(nil), t.b.Bytes()[t.b.Len()-tailMax:]...)
		t.b.Reset()
		t.b.Write(keep)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	s := t.b.String()
	if len(s) > tailMax {
		s = s[len(s)-tailMax:]
	}
	return strings.TrimSpace(s)
}
