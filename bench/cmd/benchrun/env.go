package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-go/sluice/bench/internal/report"
)

// programs maps a program key of package suite to the executable that
// runs it; a key missing from the map is not installed.
type programs map[string]string

// resolvePrograms finds each program and names it as the commands will,
// run from the work directory: the installed peers by their name on the
// PATH, the binaries built into the work directory by a path relative to
// it, so that the recorded command lines hold no path of this machine.
// ImageMagick's versioned binary comes first, so that the measured process
// is ImageMagick itself whatever else is on the PATH under the name
// convert.
func resolvePrograms(o options) programs {
	p := programs{}
	for key, path := range map[string]string{"sluice": o.sluice, "goblur": o.goblur} {
		if path == "" {
			continue
		}
		p[key] = path
		abs, err1 := filepath.Abs(path)
		work, err2 := filepath.Abs(o.work)
		if err1 != nil || err2 != nil {
			continue
		}
		if rel, err := filepath.Rel(work, abs); err == nil && !strings.HasPrefix(rel, "..") {
			p[key] = "./" + filepath.ToSlash(rel)
		} else {
			p[key] = abs
		}
	}
	look := func(key string, names ...string) {
		for _, n := range names {
			if _, err := exec.LookPath(n); err == nil {
				p[key] = n
				return
			}
		}
	}
	look("vips", "vips")
	look("vipsthumbnail", "vipsthumbnail")
	look("convert", "convert-im6.q16", "magick", "convert")
	look("gm", "gm")
	look("djpeg", "djpeg")
	look("cjpeg", "cjpeg")
	look("sh", "sh")
	look("node", "node")
	return p
}

// versions asks each program that the comparisons use for its version,
// running them from the work directory.
func versions(ctx context.Context, progs programs, used []string, work string) map[string]string {
	v := map[string]string{"go": runtime.Version()}
	ask := map[string][]string{
		"sluice":  {"version"},
		"vips":    {"--version"},
		"convert": {"-version"},
		"gm":      {"version"},
		"djpeg":   {"-version"},
		"cjpeg":   {"-version"},
		"goblur":  {"-version"},
		"node":    {"../sharp/run.js", "--version"},
	}
	for _, key := range used {
		args, ok := ask[key]
		if !ok {
			continue
		}
		path, ok := progs[key]
		if !ok {
			v[key] = "not installed"
			continue
		}
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		cmd := exec.CommandContext(ctx, path, args...)
		cmd.Dir = work
		out, err := cmd.CombinedOutput()
		cancel()
		first, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
		if err != nil {
			first = fmt.Sprintf("unknown (%v)", err)
		}
		if key == "goblur" {
			first = strings.ReplaceAll(strings.TrimSpace(string(out)), "\n", "; ")
		}
		v[key] = first + " (" + path + ")"
		if key == "sluice" || key == "goblur" {
			v[key] = first
		}
	}
	return v
}

// machine describes this computer from /proc and /etc/os-release.
func machine() (m report.Machine) {
	m.Cores = runtime.NumCPU()
	m.Go = runtime.Version()
	m.CPU = procField("/proc/cpuinfo", "model name")
	if kb := procField("/proc/meminfo", "MemTotal"); kb != "" {
		n, _ := strconv.ParseInt(strings.Fields(kb)[0], 10, 64)
		m.Memory = n * 1024
	}
	if f, err := os.Open("/etc/os-release"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "PRETTY_NAME="); ok {
				m.OS = strings.Trim(v, `"`)
			}
		}
	}
	return m
}

// procField returns the value of the first "key: value" line of file.
func procField(file, key string) string {
	f, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "unknown"
	}
	return h
}

// magickPolicy is a private ImageMagick policy that lifts the default
// limits on image size (Debian's allows 16,000 pixels a side and 256 MiB),
// so that the peers can run at all. MAGICK_CONFIGURE_PATH points at the
// directory holding it, for the measured runs only; the system's policy is
// never touched. memory is the most ImageMagick may keep in RAM before it
// spills its pixel cache to disk.
func magickPolicy(memory int64) string {
	mib := memory >> 20
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<policymap>
  <policy domain="resource" name="width" value="1MP"/>
  <policy domain="resource" name="height" value="1MP"/>
  <policy domain="resource" name="area" value="64GP"/>
  <policy domain="resource" name="memory" value="%dMiB"/>
  <policy domain="resource" name="map" value="%dMiB"/>
  <policy domain="resource" name="disk" value="256GiB"/>
</policymap>
`, mib, mib)
}
