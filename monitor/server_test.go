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
	"time"
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
	p := samplePipeline("live", 300, time.Millisecond)
	var done int64
	s, err := Serve(p, "", Options{Progress: func() (int64, int64) { return done, 300 }, Unit: "rows"})
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

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
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
	go func() { errc <- p.Run(context.Background()) }()
	sc := bufio.NewScanner(ev.Body)
	sc.Buffer(nil, 1<<20)
	var outs []int64
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
		outs = append(outs, last.Stages[1].Out)
		if last.State == "finished" {
			break
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
	if grew < 2 {
		t.Errorf("got square's out counts %v over the stream, want them to grow at least twice", outs)
	}
}
