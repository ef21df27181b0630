package monitor

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/sluice-go/sluice"
)

// TestPageAssetsAreLocal checks that the page loads nothing from another
// host: it must work without internet.
func TestPageAssetsAreLocal(t *testing.T) {
	remote := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//|url\(\s*["']?(https?:)?//|@import`)
	n := 0
	fs.WalkDir(page, "page", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := page.ReadFile(path)
		if m := remote.Find(b); m != nil {
			t.Errorf("%s refers to another host: %q", path, m)
		}
		n++
		return nil
	})
	if n < 3 {
		t.Errorf("got %d embedded files, want the page, its script and its style", n)
	}
}

// TestEvents reads the event stream while a run goes on: snapshots arrive,
// name the stages, and their counts grow until the run is finished.
func TestEvents(t *testing.T) {
	// The square stage takes an item only when the test lets one
	// through, 100 at a time, each time a snapshot shows the last 100
	// done: so snapshots see the counts grow, however slow the machine.
	const n = 300
	gate := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := sluice.New(sluice.Config{Name: "live"})
	src := sluice.FromSlice(p, "read", ints(n))
	sq := sluice.Map(src, "square", sluice.Opts{Workers: 2}, func(ctx context.Context, v int) (int, error) {
		select {
		case <-gate:
		case <-ctx.Done():
		}
		return v * v, nil
	})
	sluice.Sink(sq, "write", sluice.Opts{}, func(context.Context, int) error { return nil })
	s, err := Serve(p, "", Options{Progress: func() (int64, int64) { return p.Stats().Stages[2].In, n }, Unit: "rows"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	resp, err := http.Get(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "app.js") || resp.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("got page %q with headers %v, want the page with a content security policy", body, resp.Header)
	}

	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL()+"events", nil)
	ev, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Body.Close()
	if ct := ev.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("got content type %q, want text/event-stream", ct)
	}
	errc := make(chan error, 1)
	go func() { errc <- p.Run(ctx) }()
	sc := bufio.NewScanner(ev.Body)
	sc.Buffer(nil, 1<<20)
	var outs []int64
	var released int64
	var last PipelineSnapshot
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var snap Snapshot
		if err := json.Unmarshal([]byte(line), &snap); err != nil {
			t.Fatal(err)
		}
		if len(snap.Pipelines) != 1 {
			t.Fatalf("got %d pipelines, want 1", len(snap.Pipelines))
		}
		last = snap.Pipelines[0]
		out := last.Stages[1].Out
		outs = append(outs, out)
		if last.State == "finished" {
			break
		}
		if out == released && released < n {
			released += 100
			go func() {
				for range 100 {
					select {
					case gate <- struct{}{}:
					case <-ctx.Done():
						return
					}
				}
			}()
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, st := range last.Stages {
		names = append(names, st.Name)
	}
	if strings.Join(names, ",") != "read,square,write" || last.Name != "live" || last.Unit != "rows" || last.Total != 300 {
		t.Errorf("got %q %v unit %q total %d, want live [read square write] in 300 rows", last.Name, names, last.Unit, last.Total)
	}
	if last.Stages[1].Out != 300 || len(last.Stages[1].States) != 2 {
		t.Errorf("got square out %d with %d worker states, want 300 and 2", last.Stages[1].Out, len(last.Stages[1].States))
	}
	grew := 0
	for i := 1; i < len(outs); i++ {
		if outs[i] > outs[i-1] {
			grew++
		}
	}
	if grew < 3 {
		t.Errorf("got square's out counts %v over the stream, want them to grow at least three times", outs)
	}
}
